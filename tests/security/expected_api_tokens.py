"""Access-matrix entries of the API token pages (merged into EXPECTED by test_access_matrix.py).

Administrators and the superuser issue, list and revoke tokens; everyone else is refused (403). A token
outside an administrator's territory does not exist for it (404)."""

from tests.security.expectations import EXCHANGE_ROLES, LOGIN, Entry, page_for

# Whose territory holds each token: the région 93 (admin93, A's structure) or the 11 (admin11, Paris).
TOKEN_MANAGERS = {"a": {"administrator", "superuser"}, "paris": {"administrator_other", "superuser"}}


def tokens(world):
    """A token of structure A (région 93) and one of Paris's département (région 11), made once per world."""
    if "api_token_pages" not in world.extra:
        from api.services import api_token_issue
        from territories.territory import parse_territory

        a, _ = api_token_issue(
            name="Jeton A", by=world.users["administrator"], days=30, structure=world.structures["a"]
        )
        paris, _ = api_token_issue(
            name="Jeton Paris",
            by=world.users["administrator_other"],
            days=30,
            territory=parse_territory("departement:75"),
        )
        world.extra["api_token_pages"] = {"a": a, "paris": paris}
    return [(key, [token.pk]) for key, token in world.extra["api_token_pages"].items()]


def revoke(role, obj, method):
    if role == "anonymous":
        return LOGIN
    if method == "GET":
        return 405
    if role not in EXCHANGE_ROLES:
        return 403
    return 302 if role in TOKEN_MANAGERS[obj] else 404


EXPECTED: dict[str, Entry] = {
    # An empty form is shown again with its errors (200).
    "api_tokens:list": Entry(lambda world: [(None, [])], page_for(EXCHANGE_ROLES, post=200)),
    "api_tokens:revoke": Entry(tokens, revoke),
}
