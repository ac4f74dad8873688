import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.enums import Action
from audit.models import AuditEvent
from audit.services import audit_purge
from pathways import services
from pathways.enums import ContactKind, Stage
from tests.accounts.factories import UserFactory
from tests.pathways.factories import PathwayFactory
from tests.territories.factories import StructureFactory


@pytest.mark.django_db
def test_reading_a_household_page_is_logged(client, geo):
    structure = StructureFactory()
    user = UserFactory(username="lea", structures=[structure])
    pathway = PathwayFactory(referent_structure=structure, commune=geo.marseille)
    client.force_login(user)
    response = client.get(reverse("casework:household_detail", args=[pathway.household_id]))
    assert response.status_code == 200
    event = AuditEvent.objects.exclude(target="session").get()  # signing in is logged too
    assert (event.username, event.action, event.target, event.household_id) == (
        "lea",
        Action.READ,
        "household",
        pathway.household_id,
    )


@pytest.mark.django_db
def test_a_page_outside_the_scope_logs_a_not_found_and_no_read(client, geo):
    pathway = PathwayFactory(commune=geo.marseille)
    client.force_login(UserFactory(structures=[StructureFactory()]))
    assert client.get(reverse("casework:household_detail", args=[pathway.household_id])).status_code == 404
    event = AuditEvent.objects.exclude(target="session").get()
    assert (event.action, event.target_id, event.household_id) == (Action.NOT_FOUND, pathway.household_id, None)


@pytest.mark.django_db
def test_every_change_through_the_services_is_logged(geo):
    user = UserFactory(username="sam")
    pathway = PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2024, 1, 1))
    day = datetime.date(2024, 2, 1)
    services.pathway_transition(pathway=pathway, to_stage=Stage.EVALUATION, on=day, by=user)
    services.situation_record(pathway=pathway, situation="rue", since=day, by=user)
    services.contact_record(pathway=pathway, on=day, kind=ContactKind.TELEPHONE, by=user)
    measure = services.measure_open(pathway=pathway, kind="asll", started_on=day, by=user)
    services.measure_close(measure=measure, ended_on=day, by=user)
    details = list(AuditEvent.objects.order_by("id").values_list("detail", flat=True))
    assert details == [
        "étape evaluation le 01/02/2024",
        "situation rue depuis le 01/02/2024",
        "contact telephone le 01/02/2024",
        "mesure asll ouverte",
        "mesure asll close",
    ]
    assert set(AuditEvent.objects.values_list("username", "household_id")) == {("sam", pathway.household_id)}


@pytest.mark.django_db
def test_a_refused_change_logs_nothing(geo):
    pathway = PathwayFactory(commune=geo.marseille)
    with pytest.raises(ValidationError):
        services.pathway_transition(pathway=pathway, to_stage=Stage.ENTREE, on=pathway.stage_on, by=UserFactory())
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_events_older_than_twelve_months_are_purged():
    user = UserFactory()
    for days in (400, 366, 10):
        event = AuditEvent.objects.create(user=user, username=user.username, action=Action.READ, target="household")
        AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - datetime.timedelta(days=days))
    assert audit_purge(dry_run=True) == 2
    assert AuditEvent.objects.count() == 3
    call_command("purge_audit")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_imports_and_exports_of_case_files_are_logged(tmp_path, geo):
    source = tmp_path / "in"
    source.mkdir()
    (source / "structures.csv").write_text("id,name,kind\ns1,Accueil Marseille,association\n", encoding="utf-8")
    call_command("import_exchange", str(source), stdout=io.StringIO())
    call_command("export_exchange", str(tmp_path / "out"), "--with-personal-data", stdout=io.StringIO())
    events = list(AuditEvent.objects.order_by("id").values_list("action", "target", "detail"))
    assert events == [
        (Action.IMPORT, "exchange", str(source)),
        (Action.EXPORT, "exchange", f"france avec données personnelles vers {tmp_path / 'out'}"),
    ]


@pytest.mark.django_db
def test_an_event_reads_in_french_and_local_time():
    event = AuditEvent.objects.create(username="lea", action=Action.EXPORT, target="queue")
    AuditEvent.objects.filter(pk=event.pk).update(at=datetime.datetime(2026, 7, 1, 8, 30, tzinfo=datetime.UTC))
    event.refresh_from_db()
    assert str(event) == "01/07/2026 10:30 lea : Export — File d'attente"
