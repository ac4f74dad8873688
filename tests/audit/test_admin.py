"""The log in the admin: superusers only, read-only, with the ids a page showed and the before/after."""

import pytest
from django.urls import reverse

from audit.enums import Action, Target
from audit.services import audit_record
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit_record(
        user=None,
        action=Action.UPDATE,
        target=Target.HOUSEHOLD,
        target_id=7,
        household_id=7,
        object_ids=[11, 12],
        changes={"adults": [1, 2], "membre 3 : last_name": ["Benali", None]},
    )


def test_a_superuser_reads_the_ids_and_the_changes_and_cannot_edit(client, event):
    client.force_login(UserFactory(username="root", role="", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).content.decode()
    assert "11, 12" in page
    assert "<li>adults : 1 → 2</li>" in page
    assert "<li>membre 3 : last_name : Benali → —</li>" in page
    assert 'name="detail"' not in page  # no input: read-only
    assert client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"detail": "x"}).status_code == 403
    event.refresh_from_db()
    assert event.detail == ""
    changelist = client.get(reverse("admin:audit_auditevent_changelist"))
    assert changelist.status_code == 200


def test_an_administrator_with_admin_access_does_not_see_the_log(client, event):
    client.force_login(UserFactory(username="dreets", administrator=True, is_staff=True))
    assert client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code in (302, 403)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code in (302, 403)
