"""Lists sorted as French readers sort them, whatever the database's collation: accents and case do not
count first ("Équipe" and "Étang" among the E, "CA d'Arles" before "CA Ventoux"), then break the ties so
the order is stable. SQLite's and PostgreSQL's C collation put "Équipe" after "Zénith"."""

import unicodedata
from functools import lru_cache

from django.forms.models import ModelChoiceIterator

# Punctuation that French sorting skips at the first level ("Saint-Rémy" beside "Saint Rémy").
IGNORED = str.maketrans({"'": " ", "’": " ", "-": " ", "\u00a0": " "})


def french_key(text: str) -> tuple[str, str]:
    """Sort key: the text without accents, case or punctuation, then the text itself for ties."""
    return _french_key(str(text))


# The same names (structures, communes, EPCI) are sorted on every page that offers them: their keys are
# kept (a few MB for the whole geography and every structure of a national instance).
@lru_cache(maxsize=200_000)
def _french_key(text: str) -> tuple[str, str]:
    decomposed = unicodedata.normalize("NFKD", text.translate(IGNORED))
    base = "".join(char for char in decomposed if not unicodedata.combining(char))
    base = base.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    return " ".join(base.casefold().split()), text


def french_sorted(items, key=str) -> list:
    """`items` sorted by `french_key` of `key(item)` (by default the item's text)."""
    return sorted(items, key=lambda item: french_key(key(item)))


class FrenchChoiceIterator(ModelChoiceIterator):
    """The choices of a ModelChoiceField in French order of their labels (the empty choice first)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in french_sorted(self.queryset, key=self.field.label_from_instance):
            yield self.choice(obj)


def sort_choices_in_french(field) -> None:
    """Make a ModelChoiceField (or ModelMultipleChoiceField) list its choices in French order."""
    field.iterator = FrenchChoiceIterator
    # Setting the queryset gave the widget an iterator of the old class: give it the new one.
    field.widget.choices = field.choices
