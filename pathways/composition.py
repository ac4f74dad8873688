"""A household's composition checked against the people entered: one set of rules, used by the web forms
and by the household services (docs/saisie.md).

A person is an adult from their 18th birthday, judged on the day the household is entered or edited. A
person without a birth date is of unknown age: they may be counted as an adult or as a child, and when
the counts are left empty they are counted by their relationship (an "enfant" as a child, anyone else as
an adult)."""

from dataclasses import dataclass
from datetime import date

from pathways.enums import Composition, Relationship

ADULT_AGE = 18

# Composition -> (allowed adults, whether it has children): None means any number.
_RULES: dict[str, tuple[int | None, bool | None]] = {
    Composition.PERSONNE_SEULE: (1, False),
    Composition.COUPLE_SANS_ENFANT: (2, False),
    Composition.FAMILLE_MONOPARENTALE: (1, True),
    Composition.COUPLE_AVEC_ENFANTS: (2, True),
    Composition.AUTRE: (None, None),
}


def is_adult(birth_date: date, on: date) -> bool:
    try:
        eighteenth = birth_date.replace(year=birth_date.year + ADULT_AGE)
    except ValueError:  # born on 29 February: of age on 1 March
        eighteenth = date(birth_date.year + ADULT_AGE, 3, 1)
    return eighteenth <= on


@dataclass(frozen=True)
class Headcount:
    adults: int  # known adults (birth date given)
    children: int  # known children
    unknown: int  # no birth date
    unknown_children: int  # of the unknown, those entered as "enfant"

    @property
    def total(self) -> int:
        return self.adults + self.children + self.unknown

    def derived(self) -> tuple[int, int]:
        """(adults, children) when the counts are left empty."""
        children = self.children + self.unknown_children
        return self.total - children, children


def headcount(members: list[dict], *, on: date) -> Headcount:
    adults = children = unknown = unknown_children = 0
    for member in members:
        born = member.get("birth_date")
        if born is None:
            unknown += 1
            unknown_children += member.get("relationship") == Relationship.ENFANT
        elif is_adult(born, on):
            adults += 1
        else:
            children += 1
    return Headcount(adults, children, unknown, unknown_children)


def adulthood_cutoff(on: date) -> date:
    """People born on or before this day are adults on `on`."""
    try:
        return on.replace(year=on.year - ADULT_AGE)
    except ValueError:  # 29 February
        return date(on.year - ADULT_AGE, 2, 28)


def _agreed(count: int, adjective: str, born: str) -> str:
    if count == 1:
        return f"1 personne saisie est {adjective} (née {born})"
    return f"{count} personnes saisies sont {adjective}s (nées {born})"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def composition_errors(
    *, composition: str, adults: int | None, children: int | None, members: list[dict], on: date
) -> dict[str, list[str]]:
    """French messages by field ("composition", "adults", "children", "members"), empty if coherent.
    `members`: dicts with at least birth_date and relationship. None counts are not judged (the form
    derives them first)."""
    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    references = sum(m.get("relationship") == Relationship.REFERENCE for m in members)
    if references == 0:
        add("members", "Indiquez la personne de référence du ménage : une personne, et une seule.")
    elif references > 1:
        add("members", f"{references} personnes sont indiquées comme personne de référence : une seule est possible.")

    count = headcount(members, on=on)
    if adults is not None and children is not None and adults + children != count.total:
        add(
            "members",
            f"Vous indiquez {_plural(adults + children, 'personne')} ({_plural(adults, 'adulte')}, "
            f"{_plural(children, 'enfant')}) mais en avez saisi {count.total} : saisissez chaque personne du "
            "ménage ou corrigez les nombres.",
        )
    cutoff = f"{adulthood_cutoff(on):%d/%m/%Y}"
    if adults is not None and count.adults > adults:
        add(
            "adults",
            f"{_agreed(count.adults, 'majeure', f'le {cutoff} ou avant')} : indiquez au moins {_plural(count.adults, 'adulte')}.",
        )
    if children is not None and count.children > children:
        add(
            "children",
            f"{_agreed(count.children, 'mineure', f'après le {cutoff}')} : indiquez au moins {_plural(count.children, 'enfant')}.",
        )

    allowed_adults, has_children = _RULES.get(composition, (None, None))
    label = Composition(composition).label if composition in Composition.values else ""
    if label and adults is not None and allowed_adults is not None and adults != allowed_adults:
        add("composition", f"« {label} » compte {_plural(allowed_adults, 'adulte')}, pas {adults}.")
    if label and children is not None and has_children is False and children:
        add("composition", f"« {label} » ne compte pas d'enfant : vous en indiquez {children}.")
    if label and children is not None and has_children is True and not children:
        add("composition", f"« {label} » compte au moins un enfant.")
    return errors
