"""An item made directly, for the tests that need one without its event (the URL walks)."""

from notifications.services import Item, notify, pathway_link


def item_for(user, pathway, *, kind: str = "orientation", key: str = "test"):
    item = Item(
        kind=kind,
        key=key,
        reference=pathway.reference,
        summary=f"Orientation décidée pour le parcours {pathway.reference}.",
        link=pathway_link(pathway),
        pathway_id=pathway.pk,
    )
    return notify(item=item, recipients=[user])[0]
