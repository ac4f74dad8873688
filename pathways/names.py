"""How a person's name is shown on every page and in every export."""


def display_name(last_name: str, first_name: str) -> str:
    """'MENDY Rachid': the last name in capitals, then the first name, as French case files write it
    (so that a two-word name cannot be read the wrong way round)."""
    return f"{(last_name or '').strip().upper()} {(first_name or '').strip()}".strip()
