"""Access-matrix entries of the notifications pages (merged into EXPECTED by test_access_matrix.py).

Every signed-in person has an « À traiter » page, its count and its preferences (references and links,
no name). An item is opened or cleared by its recipient only: for anyone else it does not exist (404)."""

from tests.security.expectations import LOGIN, SIGNED_IN, Entry, page_for


def items(world):
    """One item of caseworker_a's, about its structure's pathway (made once per world)."""
    from tests.notifications.helpers import item_for

    if "notification" not in world.extra:
        world.extra["notification"] = item_for(world.users["caseworker_a"], world.cases["a"].pathway)
    return [("mine", [world.extra["notification"].pk])]


def own_item(*, method_allowed: str, answer: int):
    def expect(role, obj, method):
        if role == "anonymous":
            return LOGIN
        if method != method_allowed:
            return 405
        return answer if role == "caseworker_a" else 404

    return expect


EXPECTED: dict[str, Entry] = {
    "notifications:list": Entry(lambda world: [(None, [])], page_for(SIGNED_IN, post=405)),
    "notifications:count": Entry(lambda world: [(None, [])], page_for(SIGNED_IN, post=405)),
    # An empty form is a valid choice (every box unticked): saved, back to the page.
    "notifications:preferences": Entry(lambda world: [(None, [])], page_for(SIGNED_IN, post=302)),
    # Opening an item sends to its page (which checks its own access); clearing is a POST.
    "notifications:open": Entry(items, own_item(method_allowed="GET", answer=302)),
    "notifications:clear": Entry(items, own_item(method_allowed="POST", answer=302)),
}
