from django import template

from web.admin_wording import add_label, french_title

register = template.Library()


@register.simple_tag(takes_context=True)
def titre_admin(context) -> str:
    """The page's title in correct French (web/admin_wording.py)."""
    return french_title(context.get("title", ""), context.get("opts"))


@register.simple_tag
def libelle_ajout(opts) -> str:
    return add_label(opts)
