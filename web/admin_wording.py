"""The Django admin in correct French: its translation writes "Ajout de utilisateur", "Modification de
structure", "Sélectionnez l'objet site à changer" and "Ajouter label". Rewritten from the model's
verbose name and its gender: "Ajout d'un utilisateur", "Modification de la structure", "Sites",
"Ajouter un label". Used by templates/admin/base_site.html and change_list_object_tools.html."""

import unicodedata

from django.utils.text import capfirst

# Verbose names (singular) that are feminine; every other one is masculine.
FEMININE = {
    "cible",
    "commune",
    "configuration",
    "connexion",
    "invitation",
    "région",
    "structure",
    "tentative de connexion",
}


def elides(word: str) -> bool:
    first = unicodedata.normalize("NFKD", word[:1]).casefold()[:1]
    return bool(first) and first in "aeiouyh"


def indefinite(name: str) -> str:
    """'un utilisateur', 'une structure'."""
    return f"{'une' if name in FEMININE else 'un'} {name}"


def of_definite(name: str) -> str:
    """'de l'utilisateur', 'de la structure', 'du label', "de l'EPCI"."""
    if elides(name):
        return f"de l'{name}"
    return f"de la {name}" if name in FEMININE else f"du {name}"


def french_title(title: str, opts) -> str:
    """Django's French title of an admin page, rewritten when it is one of the ungrammatical ones."""
    if not opts or not title:
        return title
    name, plural = str(opts.verbose_name), str(opts.verbose_name_plural)
    rewrites = {
        f"Ajout de {name}": f"Ajout d'{indefinite(name)}",
        f"Modification de {name}": f"Modification {of_definite(name)}",
        f"Affichage de {name}": f"Affichage {of_definite(name)}",
        f"Sélectionnez l’objet {name} à changer": capfirst(plural),
        f"Sélectionnez l’objet {name} à afficher": capfirst(plural),
    }
    return rewrites.get(str(title), title)


def add_label(opts) -> str:
    return f"Ajouter {indefinite(str(opts.verbose_name))}"
