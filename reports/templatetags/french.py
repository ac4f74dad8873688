"""French agreement of a count with its noun: 0 and 1 take the singular ("0 enregistrement",
"1 parcours", "2 enregistrements"), which Django's `pluralize` gets wrong at zero."""

from decimal import Decimal

from django import template

from reports.exports.tables import format_number, format_target

register = template.Library()

# Nouns whose plural is their singular: no "s" to drop.
INVARIABLE = {"parcours", "%"}


def is_plural(value) -> bool:
    """In French the plural starts at 2: 0, 1 and 1,5 take the singular."""
    return abs(value) >= 2


def singular_of(plural: str) -> str:
    """'attributions' -> 'attribution', 'entrées dans les lieux' -> 'entrée dans les lieux': the
    catalogue's units are plural nouns, agreed on their first word."""
    head, space, rest = plural.partition(" ")
    if head in INVARIABLE or not head.endswith("s"):
        return plural
    return head[:-1] + space + rest


def number_text(value) -> str:
    return format_number(value if isinstance(value, int | float | Decimal) else int(value))


@register.filter
def pluriel(count, forms: str) -> str:
    """`{{ n|pluriel:"enregistrement" }}`, or `{{ n|pluriel:"travail,travaux" }}` for an irregular
    plural: the count and its noun."""
    singular, _, plural = forms.partition(",")
    if not plural:
        # "parcours", "prix", "nez": nouns ending in s, x or z do not change in the plural.
        plural = singular if singular.endswith(("s", "x", "z")) else singular + "s"
    return f"{number_text(count)} {plural if is_plural(count) else singular}"


@register.filter
def unite(value, unit: str) -> str:
    """`{{ figure.value|unite:indicator.unit }}`: a figure and the catalogue's (plural) unit agreed
    with it, "—" when there is no figure."""
    if value is None:
        return "—"
    return f"{number_text(value)} {unit if is_plural(value) else singular_of(unit)}"


@register.filter
def taille(size) -> str:
    """`{{ job.file_size|taille }}`: "820 octets", "1,4 ko", "2,3 Mo", as people write file sizes (Django's
    filesizeformat writes "1,4 Kio" in French)."""
    size = int(size or 0)
    if size < 1024:
        return pluriel(size, "octet")
    value = size / 1024
    for unit in ("ko", "Mo", "Go"):
        if value < 1024 or unit == "Go":
            break
        value /= 1024
    return f"{value:.1f}".replace(".", ",").removesuffix(",0") + f" {unit}"


@register.filter
def cible(value, indicator) -> str:
    """`{{ target.value|cible:indicator }}`: a target in its indicator's notation, with its unit agreed
    ("1 500 places", "1 ménage", "12,5 %")."""
    text = format_target(value, indicator)
    if indicator.kind == "percent":
        return text
    return f"{text} {indicator.unit if is_plural(value) else singular_of(indicator.unit)}"
