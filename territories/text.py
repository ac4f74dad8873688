"""Text rules shared by every app: how names are compared (search, duplicates, communes)."""

import unicodedata


def normalize_name(text: str) -> str:
    """Lower case, accents and punctuation dropped: 'Élodie  N'Diaye' -> 'elodie ndiaye'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    kept = "".join(c if c.isalnum() or c.isspace() else "" for c in letters.lower())
    return " ".join(kept.split())
