"""French grammar of place names in generated text: "CCAS d'Aix-en-Provence", "CCAS du Pontet",
"CCAS des Baux-de-Provence", "CCAS de La Ciotat"."""

import unicodedata

VOWELS = set("aeiouy")


def starts_with_vowel_sound(name: str) -> bool:
    """A vowel or an h (most place names take the elision before h: "d'Hyères")."""
    first = unicodedata.normalize("NFKD", name[:1]).casefold()[:1]
    return first in VOWELS or first == "h"


def of_place(name: str) -> str:
    """The complement "de <name>" as French writes it: elided, or contracted with Le / Les (a capital
    La stays: "de La Ciotat")."""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if starts_with_vowel_sound(name):
        return f"d'{name}"
    return f"de {name}"
