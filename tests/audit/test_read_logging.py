"""What each page that shows a case file logs: the household, the pathway ids a list or an export
showed, the search typed; refusals (403, 404) with the id of the URL; nothing for a page without names."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse

from audit.decorators import audit_shown, audited, no_names
from audit.enums import Action, Target
from audit.models import AuditEvent
from reports.models import BilanFigure
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.territories.factories import StructureFactory

pytestmark = pytest.mark.django_db


def case_events():
    """The events about case files: signing in (force_login) is logged too, as a session event."""
    return AuditEvent.objects.exclude(target__in=[Target.SESSION, Target.ACCOUNT])


def events(**filters):
    return list(
        case_events()
        .filter(**filters)
        .order_by("id")
        .values_list("username", "action", "target", "target_id", "household_id", "object_ids")
    )


def test_the_household_page_logs_its_household_and_pathways_for_every_answer(client, world):
    client.force_login(world.ana)
    url = reverse("casework:household_detail", args=[world.household.pk])
    assert client.get(url).status_code == 200
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
    assert client.post(url).status_code == 200
    expected = ("ana", Action.READ, Target.HOUSEHOLD, world.household.pk, world.household.pk, [world.pathway.pk])
    assert events() == [expected] * 3
    assert case_events().first().ip_address == "127.0.0.1"


def test_an_invalid_action_re_shows_the_household_and_logs_it(client, world):
    client.force_login(world.ana)
    prefix = f"contact{world.pathway.pk}"
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("casework:record_contact", args=[world.pathway.pk]),
        {f"{prefix}-version": world.pathway.version, f"{prefix}-kind": "visite", f"{prefix}-date": tomorrow},
    )
    assert response.status_code == 200 and "Benali".upper() in response.content.decode().upper()
    assert events() == [
        ("ana", Action.READ, Target.HOUSEHOLD, world.household.pk, world.household.pk, [world.pathway.pk])
    ]


def test_a_successful_action_logs_its_change_and_no_read(client, world):
    client.force_login(world.ana)
    prefix = f"contact{world.pathway.pk}"
    response = client.post(
        reverse("casework:record_contact", args=[world.pathway.pk]),
        {f"{prefix}-version": world.pathway.version, f"{prefix}-kind": "visite", f"{prefix}-date": "2024-02-01"},
    )
    assert response.status_code == 302
    assert [e[1:3] for e in events()] == [(Action.UPDATE, Target.PATHWAY)]


def test_the_edit_page_logs_its_reads_get_and_refused_post(client, world):
    client.force_login(world.ana)
    url = reverse("casework:household_edit", args=[world.household.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"composition": "", "members-TOTAL_FORMS": "0"}).status_code == 200
    assert events() == [("ana", Action.READ, Target.HOUSEHOLD, world.household.pk, world.household.pk, [])] * 2
    assert set(case_events().values_list("detail", flat=True)) == {"page de modification"}


def test_a_name_search_logs_what_was_typed_and_the_pathways_found(client, world):
    other = PathwayFactory(referent_structure=world.accueil, commune=world.geo.marseille)
    client.force_login(world.ana)
    assert client.get(reverse("casework:pathway_list"), {"q": "benali"}).status_code == 200
    event = case_events().get()
    assert (event.action, event.target, event.object_ids) == (Action.READ, Target.PATHWAY, [world.pathway.pk])
    assert event.detail == "liste des parcours, recherche « benali »"
    client.get(reverse("casework:pathway_list"))
    assert sorted(case_events().order_by("id").last().object_ids) == sorted([world.pathway.pk, other.pk])


def test_the_duplicate_check_logs_the_households_it_shows_and_an_empty_form_logs_nothing(client, world):
    client.force_login(world.ana)
    assert client.get(reverse("casework:household_new")).status_code == 200
    assert not case_events().exists()
    data = {
        "composition": "personne_seule",
        "adults": "1",
        "children": "0",
        "situation": "chu",
        "situation_since": "2024-02-01",
        "structure": str(world.accueil.pk),
        "commune": "Marseille",
        "stage": "demande",
        "opened_on": "2024-02-10",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-last_name": "Benali",
        "members-0-first_name": "Samir",
        "members-0-birth_date": "1980-05-02",
        "members-0-relationship": "reference",
    }
    response = client.post(reverse("casework:household_new"), data)
    assert response.context["duplicates"]
    assert events() == [("ana", Action.READ, Target.HOUSEHOLD, None, None, [world.household.pk])]


def test_the_queue_and_stalled_lists_log_the_pathways_of_the_page(client, world):
    stalled = PathwayFactory(commune=world.geo.marseille, opened_on=datetime.date(2020, 1, 1))
    client.force_login(world.coord)
    assert client.get(reverse("queues:list"), {"etape": "demande"}).status_code == 200
    queue = case_events().get()
    assert (queue.action, queue.target, sorted(queue.object_ids)) == (
        Action.READ,
        Target.QUEUE,
        sorted([world.pathway.pk, stalled.pk]),
    )
    assert queue.detail == "file d'attente etape=demande"
    assert client.get(reverse("queues:stalled")).status_code == 200
    shown = case_events().order_by("id").last()
    assert (shown.target, shown.detail) == (Target.QUEUE, "parcours bloqués")
    assert stalled.pk in shown.object_ids


def test_a_queue_export_logs_every_pathway_it_holds(client, world):
    client.force_login(world.coord)
    assert client.get(reverse("queues:export_csv")).status_code == 200
    event = case_events().get()
    assert (event.action, event.target, event.object_ids) == (Action.EXPORT, Target.QUEUE, [world.pathway.pk])


@pytest.mark.parametrize("name", ["queues:orient", "queues:assign"])
def test_orientation_and_transfer_pages_log_their_pathway_get_and_refused_post(client, world, name):
    client.force_login(world.coord)
    url = reverse(name, args=[world.pathway.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 200
    expected = ("coord", Action.READ, Target.PATHWAY, world.pathway.pk, world.household.pk, [])
    assert events() == [expected] * 2


def test_import_errors_page_and_download_are_logged(client, world, job):
    client.force_login(world.admin)
    assert client.get(reverse("exchange:job_detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("exchange:job_errors_csv", args=[job.pk])).status_code == 200
    assert [e[:4] for e in events()] == [
        ("dreets", Action.READ, Target.EXCHANGE, job.pk),
        ("dreets", Action.EXPORT, Target.EXCHANGE, job.pk),
    ]


def test_drill_down_and_bilan_downloads_are_logged(client, world, run):
    client.force_login(world.admin)
    figure = BilanFigure.objects.filter(run=run, record_model="pathways.Pathway").exclude(record_ids=b"").first()
    assert client.get(reverse("reports:figure_records", args=[run.pk, figure.pk])).status_code == 200
    event = case_events().get()
    pathway_ids = figure.record_id_list()
    assert (event.action, event.target, event.target_id, event.object_ids) == (
        Action.READ,
        Target.BILAN,
        run.pk,
        pathway_ids,
    )
    for fmt in ("xlsx", "pdf"):
        assert client.get(reverse("reports:run_export", args=[run.pk, fmt])).status_code == 200
    exports = case_events().filter(action=Action.EXPORT)
    assert list(exports.values_list("target", "target_id")) == [(Target.BILAN, run.pk)] * 2
    assert [e.detail.split(" — ")[0] for e in exports.order_by("id")] == ["XLSX", "PDF"]


def test_a_page_without_names_logs_nothing(client, world, run):
    client.force_login(world.coord)
    for url in (reverse("queues:overview"), reverse("casework:commune_suggestions") + "?q=mar", reverse("home")):
        assert client.get(url).status_code in (200, 302)
    client.force_login(world.admin)
    assert client.get(reverse("reports:run_detail", args=[run.pk])).status_code == 200
    assert not case_events().exists()


def test_a_case_file_out_of_scope_logs_a_not_found(client, world):
    bob = UserFactory(username="bob", structures=[StructureFactory()])
    client.force_login(bob)
    url = reverse("casework:household_detail", args=[world.household.pk])
    assert client.get(url).status_code == 404
    assert client.post(reverse("casework:record_stage", args=[world.pathway.pk])).status_code == 404
    assert list(case_events().order_by("id").values_list("username", "action", "target", "target_id", "detail")) == [
        ("bob", Action.NOT_FOUND, Target.HOUSEHOLD, world.household.pk, url),
        ("bob", Action.NOT_FOUND, Target.PATHWAY, world.pathway.pk, f"/parcours/{world.pathway.pk}/etape/"),
    ]


def test_a_refused_case_file_logs_a_denial(client, world):
    client.force_login(world.ana)
    assert client.get(reverse("queues:orient", args=[world.pathway.pk])).status_code == 403
    household = HouseholdFactory()
    PathwayFactory(household=household, referent_structure=world.accueil, commune=world.geo.marseille)
    household.anonymised_on = datetime.date(2026, 1, 1)
    household.save()
    assert client.get(reverse("casework:household_edit", args=[household.pk])).status_code == 403
    assert events() == [
        ("ana", Action.DENIED, Target.PATHWAY, world.pathway.pk, None, []),
        ("ana", Action.DENIED, Target.HOUSEHOLD, household.pk, None, []),
    ]


def test_a_signed_out_visitor_logs_nothing(client, world):
    assert client.get(reverse("casework:household_detail", args=[world.household.pk])).status_code == 302
    assert client.get(reverse("queues:orient", args=[world.pathway.pk])).status_code == 302
    assert not case_events().exists()


def test_a_view_that_says_what_it_shows_must_be_audited(world):
    @no_names
    def unaudited(request):
        audit_shown(request, household_id=1)

    request = RequestFactory().get("/")
    request.user = world.ana
    with pytest.raises(RuntimeError, match="not declared @audited"):
        unaudited(request)


def test_an_audited_view_logs_with_its_url_id_unless_told_otherwise(world):
    from django.http import HttpResponse

    @audited(Target.PATHWAY)
    def view(request, pk):
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = world.ana
    view(request, pk=world.pathway.pk)
    assert events() == [("ana", Action.READ, Target.PATHWAY, world.pathway.pk, None, [])]
