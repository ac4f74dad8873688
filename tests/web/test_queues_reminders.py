"""« Relancer la structure »: a coordination's reminder per selected pathway, seen by the referent
structure on the household's timeline and on Mes parcours, and no activity on the case (a stalled
pathway stays stalled)."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.enums import Action
from audit.models import AuditEvent
from pathways import services
from pathways.anonymisation import anonymise_after_days, households_anonymise
from pathways.enums import Stage
from pathways.integrity import integrity_check
from pathways.models import Pathway, Reminder
from tests.accounts.factories import UserFactory
from tests.web.queues_scenario import make_scenario
from web.queues.bulk import selection_value

REMIND = reverse("queues:bulk_remind")
MY_PATHWAYS = reverse("casework:pathway_list")


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


@pytest.fixture
def coordinator_client(client, scenario):
    client.force_login(scenario.coordinator)
    return client


def signed_in(user) -> Client:
    """A second browser: the coordinator's client stays signed in as the coordinator."""
    client = Client()
    client.force_login(user)
    return client


def selection(*pathways, seen=None):
    return [(seen or {}).get(p.pk) or selection_value(p) for p in pathways]


def remind(client, *pathways, note="", seen=None):
    return client.post(REMIND, {"parcours": selection(*pathways, seen=seen), "note": note, "confirmer": "1"})


def messages_of(client, response) -> str:
    assert response.status_code == 302 and response["Location"] == reverse("queues:list")
    return client.get(response["Location"]).content.decode()


def timeline(client, pathway, **params) -> str:
    url = reverse("casework:household_detail", args=[pathway.household_id])
    return client.get(url, params).content.decode().replace("&#x27;", "'")


def test_the_queue_button_leads_to_the_selection_page_with_an_optional_message(coordinator_client, scenario):
    page = coordinator_client.get(reverse("queues:list")).content.decode()
    assert f'formaction="{REMIND}">Relancer la structure</button>' in page
    page = coordinator_client.post(REMIND, {"parcours": selection(scenario.durand)}).content.decode()
    assert "<h1>Relance des structures référentes d&#x27;une sélection de parcours</h1>" in page
    assert f'value="{selection_value(scenario.durand)}" id="lot_parcours_0" checked' in page
    assert "Message à la structure référente (facultatif)" in page
    assert "Le formulaire contient" not in page and 'name="confirmer"' in page
    assert not Reminder.objects.exists()


def test_a_bulk_reminder_is_recorded_per_pathway_with_who_and_when(coordinator_client, scenario):
    s = scenario
    before = timezone.now()
    response = remind(coordinator_client, s.durand, s.diallo, note="Où en est la demande ?")
    page = messages_of(coordinator_client, response)
    assert f"2 parcours relancés : {s.durand.reference}, {s.diallo.reference}." in page
    rows = list(
        Reminder.objects.order_by("pathway_id").values_list("pathway_id", "structure_id", "note", "recorded_by")
    )
    assert rows == [
        (s.durand.pk, s.alpha.pk, "Où en est la demande ?", s.coordinator.pk),
        (s.diallo.pk, s.beta.pk, "Où en est la demande ?", s.coordinator.pk),
    ]
    assert all(r.recorded_at >= before for r in Reminder.objects.all())
    events = AuditEvent.objects.filter(user=s.coordinator, action=Action.CREATE, target="pathway")
    assert sorted(events.values_list("target_id", flat=True)) == sorted([s.durand.pk, s.diallo.pk])
    assert events.get(target_id=s.durand.pk).changes["note"] == [None, "Où en est la demande ?"]
    assert integrity_check().ok


def test_a_reminder_changes_nothing_on_the_pathway_and_a_stalled_one_stays_stalled(coordinator_client, scenario):
    s = scenario
    today = timezone.localdate()
    assert Pathway.objects.stalled(on=today).filter(pk=s.durand.pk).exists()
    state = Pathway.objects.values("version", "stage", "stage_on", "last_activity_on").get(pk=s.durand.pk)
    messages_of(coordinator_client, remind(coordinator_client, s.durand))
    assert Pathway.objects.values("version", "stage", "stage_on", "last_activity_on").get(pk=s.durand.pk) == state
    assert Pathway.objects.stalled(on=today).filter(pk=s.durand.pk).exists()
    page = coordinator_client.get(reverse("queues:stalled")).content.decode()
    assert s.durand.reference in page


def test_a_pathway_changed_since_the_page_was_read_is_refused_with_what_changed(coordinator_client, scenario):
    s = scenario
    seen = {p.pk: selection_value(p) for p in (s.durand, s.secret)}
    services.pathway_transition(pathway=s.secret, to_stage=Stage.DEMANDE, on=timezone.localdate(), by=s.sam)
    page = messages_of(coordinator_client, remind(coordinator_client, s.durand, s.secret, seen=seen))
    assert f"1 parcours relancé : {s.durand.reference}." in page
    assert (
        f"1 parcours refusé : {s.secret.reference} : modifié entre-temps par Sam Aubert : son étape est "
        "passée de « Repérage / premier contact » à « Demande enregistrée »."
    ) in page
    assert list(Reminder.objects.values_list("pathway_id", flat=True)) == [s.durand.pk]


def test_a_caseworker_cannot_remind(client, scenario):
    client.force_login(scenario.sam)
    assert remind(client, scenario.durand).status_code == 403
    assert not Reminder.objects.exists()


def test_a_pathway_outside_the_territory_is_not_found(coordinator_client, scenario):
    assert remind(coordinator_client, scenario.durand, scenario.nice).status_code == 404
    assert not Reminder.objects.exists()


def test_the_referent_caseworker_sees_the_badge_on_my_pathways_until_the_next_transition(coordinator_client, scenario):
    s = scenario
    messages_of(coordinator_client, remind(coordinator_client, s.durand))
    client = signed_in(s.sam)
    page = client.get(MY_PATHWAYS).content.decode()
    today = timezone.localdate()
    assert f'data-testid="reminded">Relancé le {today:%d/%m/%Y}</span>' in page
    assert page.count('data-testid="reminded"') == 1  # Secret, also Alpha's, was not reminded
    # A change of stage answers the reminder: no more badge.
    services.pathway_transition(pathway=s.durand, to_stage=Stage.EVALUATION, on=today, by=s.sam)
    assert 'data-testid="reminded"' not in client.get(MY_PATHWAYS).content.decode()


def test_my_pathways_badge_costs_no_extra_query(coordinator_client, scenario):
    s = scenario
    client = signed_in(s.sam)
    client.get(MY_PATHWAYS)  # the session's first writes out of the way

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(MY_PATHWAYS).status_code == 200
        return len(captured)

    without = queries()
    messages_of(coordinator_client, remind(coordinator_client, s.durand, s.secret))
    # The badge is a subquery of the page's own query: not one more query, whatever the reminders.
    assert queries() == without


def test_the_timeline_shows_the_reminder_and_filters_on_it(coordinator_client, scenario):
    s = scenario
    messages_of(coordinator_client, remind(coordinator_client, s.durand, note="Merci de faire le point."))
    client = signed_in(s.sam)
    page = timeline(client, s.durand)
    assert 'data-kind="relance"' in page
    assert "Relance de la coordination à Association Alpha" in page
    assert "Message : Merci de faire le point." in page
    assert "Saisi par Claire Coste" in page
    only = timeline(client, s.durand, chronologie="relances")
    assert 'data-kind="relance"' in only and 'data-kind="étape"' not in only
    assert 'data-kind="relance"' not in timeline(client, s.durand, chronologie="contacts")


def test_a_confidential_households_reminder_message_stays_inside_its_referent_structure(coordinator_client, scenario):
    s = scenario
    messages_of(coordinator_client, remind(coordinator_client, s.secret, note="Message confidentiel"))
    # Sam, of Alpha (the referent structure), reads the message.
    assert "Message : Message confidentiel" in timeline(signed_in(s.sam), s.secret)
    # A coordinator outside Alpha sees that a reminder was sent, not its message.
    page = timeline(coordinator_client, s.secret)
    assert "Relance de la coordination à Association Alpha" in page
    assert "Message confidentiel" not in page
    # Nor does a caseworker of a structure the pathway is shared with.
    outsider = UserFactory(username="eve", first_name="Eve", last_name="Dupin", structures=[s.beta])
    services.pathway_share(pathway=s.secret, structure=s.beta, by=s.coordinator)
    page = timeline(signed_in(outsider), s.secret)
    assert "Relance de la coordination" in page and "Message confidentiel" not in page


def test_anonymisation_clears_the_reminder_messages(coordinator_client, scenario):
    s = scenario
    messages_of(coordinator_client, remind(coordinator_client, s.durand, note="Relance pour la famille"))
    later = timezone.localdate() + datetime.timedelta(days=anonymise_after_days() + 200)
    report = households_anonymise(today=later)
    assert report.households >= 1
    assert list(Reminder.objects.values_list("note", flat=True)) == [""]
