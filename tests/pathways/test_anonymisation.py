"""Anonymisation of case files without activity for 2 years (roles.md): which households, what is
cleared, what the indicators and the export still read, and the command, task and pages around it."""

import csv
import datetime
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from pathways import services
from pathways.anonymisation import households_anonymise, inactive_households
from pathways.enums import ContactKind, MeasureKind, SituationKind, Stage
from pathways.exchange.exporter import export_exchange
from pathways.models import Assignment, Contact, Household, Member, Transition
from pathways.tasks import anonymise_inactive_task
from places import services as place_services
from places.models import PlaceEvent
from reports.indicators import compute_bilan
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance
from tests.places.factories import make_place, oriented_pathway
from tests.reports.bilan_scenario import END, SECRET_NAME, START, make_scenario
from tests.territories.factories import StructureFactory
from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture

TODAY = datetime.date(2024, 6, 1)


def days_before(days: int, today: datetime.date = TODAY) -> datetime.date:
    return today - datetime.timedelta(days=days)


def household_last_active(days: int, *, last_name: str = "Durand", today: datetime.date = TODAY, **pathway):
    """A household created and opened `days` days before `today`, untouched since."""
    on = days_before(days, today)
    household = HouseholdFactory(
        created_on=on,
        members=[{"last_name": last_name, "first_name": "Alex", "birth_date": datetime.date(1980, 5, 2)}],
    )
    PathwayFactory(household=household, opened_on=on, **pathway)
    return household


def anonymised(household) -> bool:
    household.refresh_from_db()
    return household.anonymised_on is not None


def members_of(household) -> list[tuple]:
    return list(household.members.values_list("last_name", "first_name", "birth_date", "search_name"))


@pytest.mark.django_db
def test_a_household_inactive_for_731_days_is_anonymised_and_one_at_730_days_is_not(geo):
    old = household_last_active(731, last_name="Ancien")
    boundary = household_last_active(730, last_name="Limite")
    # Without a pathway, the creation date alone says when the file was last active.
    old_without_pathway = HouseholdFactory(created_on=days_before(731))
    boundary_without_pathway = HouseholdFactory(created_on=days_before(730))

    report = households_anonymise(today=TODAY)

    assert (report.cutoff, report.households, report.members, report.dry_run) == (
        datetime.date(2022, 6, 2),
        2,
        2,
        False,
    )
    assert anonymised(old_without_pathway) and not anonymised(boundary_without_pathway)
    assert old.anonymised_on is None  # the instance in memory is not touched
    assert anonymised(old) and old.anonymised_on == TODAY
    assert members_of(old) == [("Anonymisé", "", None, "anonymise")]
    assert not anonymised(boundary)
    assert members_of(boundary) == [("Limite", "Alex", datetime.date(1980, 5, 2), "limite alex")]


@pytest.mark.django_db
def test_recent_activity_of_any_kind_keeps_the_household(geo):
    contacted = household_last_active(1000, last_name="Contact")
    services.contact_record(pathway=contacted.pathways.get(), on=days_before(100), kind=ContactKind.TELEPHONE, by=None)
    moved = household_last_active(1000, last_name="Etape")
    advance(moved.pathways.get(), Stage.EVALUATION, on=days_before(700))
    situated = household_last_active(1000, last_name="Situation")
    services.situation_record(
        pathway=situated.pathways.get(), situation=SituationKind.RUE, since=days_before(10), by=None
    )
    # A support measure still running is activity, however long ago it started.
    running = household_last_active(1000, last_name="Mesure")
    services.measure_open(pathway=running.pathways.get(), kind=MeasureKind.ASLL, started_on=days_before(999), by=None)
    recently_ended = household_last_active(1000, last_name="Finie")
    measure = services.measure_open(
        pathway=recently_ended.pathways.get(), kind=MeasureKind.ASLL, started_on=days_before(999), by=None
    )
    services.measure_close(measure=measure, ended_on=days_before(729), by=None)
    long_ended = household_last_active(1000, last_name="Close")
    measure = services.measure_open(
        pathway=long_ended.pathways.get(), kind=MeasureKind.ASLL, started_on=days_before(999), by=None
    )
    services.measure_close(measure=measure, ended_on=days_before(731), by=None)
    created_recently = HouseholdFactory(created_on=days_before(5))  # no pathway yet

    report = households_anonymise(today=TODAY)

    assert report.households == 1
    assert [h.pk for h in Household.objects.filter(anonymised_on=TODAY)] == [long_ended.pk]
    for kept in (contacted, moved, situated, running, recently_ended, created_recently):
        assert not anonymised(kept)


@pytest.mark.django_db
def test_an_open_pathway_without_activity_for_two_years_is_anonymised_all_the_same(geo):
    housed = household_last_active(900, last_name="Loge", housed=True)
    waiting = household_last_active(900, last_name="Attente")
    advance(waiting.pathways.get(), Stage.EVALUATION, Stage.ATTENTE_ORIENTATION)

    assert households_anonymise(today=TODAY).households == 2

    assert housed.pathways.get().stage == Stage.ENTREE
    assert waiting.pathways.get().stage == Stage.ATTENTE_ORIENTATION
    assert anonymised(housed) and anonymised(waiting)


@pytest.mark.django_db
def test_notes_reasons_and_birth_dates_are_cleared_and_the_facts_kept(geo):
    household = household_last_active(
        800, last_name="Ancien", commune=geo.marseille, situation=SituationKind.CHRS, dalo=True
    )
    Member.objects.create(household=household, last_name="Ancienne", first_name="Lou", relationship="enfant")
    pathway = household.pathways.get()
    day = pathway.opened_on
    services.contact_record(pathway=pathway, on=day, kind=ContactKind.VISITE, note="Vu chez sa sœur", by=None)
    services.pathway_transition(
        pathway=pathway, to_stage=Stage.EVALUATION, on=day, by=None, reason="Dette de loyer ancienne"
    )
    services.pathway_assign(pathway=pathway, structure=StructureFactory(), note="Suivi par sa tante", by=None)
    active = household_last_active(10, last_name="Recent")
    active_pathway = active.pathways.get()
    services.contact_record(pathway=active_pathway, on=TODAY, kind=ContactKind.VISITE, note="Note gardée", by=None)

    report = households_anonymise(today=TODAY)

    assert (report.households, report.members, report.notes) == (1, 2, 3)
    assert members_of(household) == [("Anonymisé", "", None, "anonymise"), ("Anonymisé", "", None, "anonymise")]
    assert list(Contact.objects.filter(pathway=pathway).values_list("date", "kind", "note")) == [
        (day, ContactKind.VISITE, "")
    ]
    assert list(Transition.objects.filter(pathway=pathway).values_list("stage", "date", "reason")) == [
        (Stage.DEMANDE, day, ""),
        (Stage.EVALUATION, day, ""),
    ]
    assert list(Assignment.objects.filter(pathway=pathway).values_list("note", flat=True)) == ["", ""]
    pathway.refresh_from_db()
    assert (pathway.stage, pathway.commune, pathway.dalo, pathway.last_activity_on) == (
        Stage.EVALUATION,
        geo.marseille,
        True,
        day,
    )
    assert list(pathway.situations.values_list("situation", "since")) == [(SituationKind.CHRS, day)]
    assert (household.composition, household.adults, household.children) == ("personne_seule", 1, 0)
    assert list(Contact.objects.filter(pathway=active_pathway).values_list("note", flat=True)) == ["Note gardée"]


@pytest.mark.django_db
def test_a_dry_run_reports_the_count_and_writes_nothing(geo):
    first = household_last_active(800, last_name="Premier")
    second = household_last_active(900, last_name="Second")
    household_last_active(10, last_name="Recent")
    events = AuditEvent.objects.count()

    report = households_anonymise(today=TODAY, dry_run=True)

    assert (report.households, report.members, report.notes, report.dry_run) == (2, 2, 0, True)
    assert report.plan == "2 ménage(s) sans activité depuis le 02/06/2022 seraient anonymisés."
    assert not anonymised(first) and not anonymised(second)
    assert members_of(first) == [("Premier", "Alex", datetime.date(1980, 5, 2), "premier alex")]
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_second_run_changes_nothing(geo):
    household = household_last_active(800)
    households_anonymise(today=TODAY)
    later = TODAY + datetime.timedelta(days=30)
    events = AuditEvent.objects.count()

    report = households_anonymise(today=later)

    assert (report.households, report.members, report.notes) == (0, 0, 0)
    household.refresh_from_db()
    assert household.anonymised_on == TODAY  # the first run's date is kept
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_one_audit_event_sums_up_the_run(geo):
    household_last_active(800)
    household_last_active(900)

    households_anonymise(today=TODAY)

    event = AuditEvent.objects.get()
    assert (event.user, event.username, event.action, event.target, event.target_id, event.household_id) == (
        None,
        "",
        "update",
        "household",
        None,
        None,
    )
    assert event.detail == (
        "Anonymisation : 2 ménage(s) sans activité depuis le 02/06/2022 anonymisé(s) : "
        "2 personne(s), 0 note(s) effacée(s)."
    )


@pytest.mark.django_db
def test_the_bilan_is_the_same_before_and_after_anonymisation(geo):
    scenario = make_scenario(geo)
    territory = parse_territory("region:93")
    before = compute_bilan(territory, START, END)
    assert before["attributions_total"].value == 9  # the scenario is read, not an empty base

    # Every household's last activity is in 2021 at the latest, 2 years before this day.
    report = households_anonymise(today=datetime.date(2024, 1, 1))

    assert report.households == 9
    assert not Member.objects.filter(last_name=SECRET_NAME).exists()
    assert scenario["other"].stage == Stage.BAIL_SIGNE  # an open pathway, anonymised like the others
    assert compute_bilan(territory, START, END) == before


@pytest.mark.django_db
def test_name_search_and_duplicate_detection_find_no_anonymised_household(geo):
    from web.forms.households import find_duplicates

    household = household_last_active(800, last_name="Zorglub")
    admin = UserFactory(is_superuser=True)
    assert list(Household.objects.search("zorglub", user=admin)) == [household]

    households_anonymise(today=TODAY)

    assert list(Household.objects.search("Zorglub", user=admin)) == []
    assert list(Household.objects.search("Anonymisé", user=admin)) == []
    assert list(Household.objects.search(household.reference, user=admin)) == [household]
    for last_name in ("Zorglub", "Anonymisé"):
        assert find_duplicates(user=admin, members=[{"last_name": last_name, "first_name": ""}]) == []


@pytest.mark.django_db
def test_the_export_writes_the_placeholder_and_no_note(geo, tmp_path):
    household = household_last_active(800, last_name="Zorglub")
    pathway = household.pathways.get()
    services.pathway_transition(
        pathway=pathway, to_stage=Stage.EVALUATION, on=pathway.opened_on, by=None, reason="Secret"
    )
    households_anonymise(today=TODAY)

    export_exchange(tmp_path, with_personal_data=True)

    with open(tmp_path / "households.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["id"], r["last_name"], r["first_name"], r["birth_date"]) for r in rows] == [
        (household.reference, "Anonymisé", "", "")
    ]
    with open(tmp_path / "transitions.csv", encoding="utf-8") as handle:
        assert [(r["stage"], r["reason"]) for r in csv.DictReader(handle)] == [("demande", ""), ("evaluation", "")]


@pytest.mark.django_db
def test_the_notes_of_a_place_proposal_are_cleared(geo):
    """A proposal's details may name people (a place's history too): anonymisation clears them."""
    long_ago = days_before(800)
    pathway = oriented_pathway(on=long_ago, commune=geo.marseille)
    place = make_place(on=long_ago)
    proposal = place_services.proposal_create(
        place=place, pathway=pathway, on=long_ago, by=None, note="Mme Durand préfère le rez-de-chaussée"
    )
    PlaceEvent.objects.filter(proposal=proposal).update(note="Visite avec sa fille")

    assert households_anonymise(today=TODAY).households == 1

    proposal.refresh_from_db()
    assert (proposal.note, proposal.place_id, proposal.proposed_on) == ("", place.pk, long_ago)
    assert not PlaceEvent.objects.filter(pathway=pathway).exclude(note="").exists()


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_households(geo, django_assert_max_num_queries):
    for days in (800, 900):
        household = household_last_active(days)
        services.contact_record(
            pathway=household.pathways.get(), on=days_before(days), kind="visite", note="x", by=None
        )
    # savepoint, the count, members, contact notes, transition reasons, assignment notes, reminder
    # messages, proposal notes, place history notes, the households, the audit event, release
    with django_assert_max_num_queries(12):
        assert households_anonymise(today=TODAY).households == 2
    for days in range(800, 810):
        household_last_active(days)
    with django_assert_max_num_queries(12):
        assert households_anonymise(today=TODAY).households == 10
    with django_assert_max_num_queries(3):  # savepoint, the count, release
        assert households_anonymise(today=TODAY).households == 0


@pytest.mark.django_db
def test_the_command_says_what_it_will_do_and_does_it_unless_dry_run(geo):
    today = timezone.localdate()
    household = household_last_active(731, today=today)
    household_last_active(10, today=today)
    cutoff = f"{today - datetime.timedelta(days=730):%d/%m/%Y}"

    out = StringIO()
    call_command("anonymise_inactive", "--dry-run", stdout=out)
    assert out.getvalue() == (
        f"1 ménage(s) sans activité depuis le {cutoff} seraient anonymisés. (sans activité depuis plus de 730 jours)\n"
        "Simulation : rien n'a été modifié.\n"
    )
    assert not anonymised(household)

    out = StringIO()
    call_command("anonymise_inactive", stdout=out)
    assert out.getvalue() == (
        f"1 ménage(s) sans activité depuis le {cutoff} seraient anonymisés. (sans activité depuis plus de 730 jours)\n"
        f"1 ménage(s) sans activité depuis le {cutoff} anonymisé(s) : 1 personne(s), 0 note(s) effacée(s).\n"
    )
    assert anonymised(household) and household.anonymised_on == today


@pytest.mark.django_db
def test_the_setting_sets_the_delay_and_the_daily_task_runs_it(geo, settings):
    from project.celery import app

    household = household_last_active(400)
    settings.ANONYMISE_AFTER_DAYS = 365
    today = timezone.localdate()
    assert list(inactive_households(today=TODAY)) == [household]
    assert settings.CELERY_BEAT_SCHEDULE["anonymise-inactive-households"]["task"] == "pathways.anonymise_inactive"
    assert "pathways.anonymise_inactive" in app.tasks

    assert anonymise_inactive_task.delay().get() == 1

    assert anonymised(household) and household.anonymised_on == today


@pytest.mark.django_db
def test_the_household_page_says_the_file_is_anonymised_and_its_edit_page_refuses(client, world):
    today = timezone.localdate()
    # The world's household: created in 2020, pathway opened on 15/01/2024, untouched since.
    assert households_anonymise(today=today).households == 1
    client.force_login(world.ana)

    page = client.get(reverse("casework:household_detail", args=[world.household.pk])).content.decode()
    assert f"Dossier anonymisé le {today:%d/%m/%Y} après deux ans sans activité" in page
    assert "<td>ANONYMISÉ</td><td></td><td>—</td>" in page
    assert "Benali" not in page and "BENALI" not in page
    assert "Modifier le ménage" not in page

    response = client.get(reverse("casework:household_edit", args=[world.household.pk]))
    assert response.status_code == 403
    assert (
        f"Ce dossier a été anonymisé le {today:%d/%m/%Y} : ses personnes ne peuvent plus être modifiées."
        in response.content.decode()
    )
    response = client.post(
        reverse("casework:household_edit", args=[world.household.pk]),
        {"composition": "personne_seule", "adults": 1, "children": 0, "members-TOTAL_FORMS": 1},
    )
    assert response.status_code == 403
    assert members_of(world.household)[0][:2] == ("Anonymisé", "")


@pytest.mark.django_db
def test_an_active_household_page_has_no_banner(client, world):
    client.force_login(world.ana)
    page = client.get(reverse("casework:household_detail", args=[world.household.pk])).content.decode()
    assert "Dossier anonymisé" not in page
    assert "Modifier le ménage" in page


@pytest.mark.django_db
def test_a_delay_below_one_day_is_refused_and_nothing_is_written(geo, settings):
    household = household_last_active(800)
    settings.ANONYMISE_AFTER_DAYS = 0
    with pytest.raises(
        ImproperlyConfigured, match=r"^ANONYMISE_AFTER_DAYS=0 must be a number of days of at least 1\.$"
    ):
        households_anonymise(today=TODAY)
    assert not anonymised(household)


def _old_folder(folder) -> None:
    folder.mkdir()
    (folder / "structures.csv").write_text("id,name,kind\ns1,Accueil,association\n", encoding="utf-8")
    (folder / "households.csv").write_text(
        "id,composition,adults,children,created_on,last_name,first_name,birth_date\n"
        "h1,personne_seule,1,0,2020-01-01,Lefort,Nadia,1980-05-04\n",
        encoding="utf-8",
    )
    (folder / "pathways.csv").write_text(
        "id,household,structure,commune,opened_on\np1,h1,s1,13055,2020-01-01\n", encoding="utf-8"
    )
    (folder / "transitions.csv").write_text(
        "pathway,stage,date,reason\np1,demande,2020-01-01,\np1,renonciation,2020-02-01,Parti chez sa sœur à Lyon\n",
        encoding="utf-8",
    )


@pytest.mark.django_db
def test_an_old_file_imported_again_does_not_bring_names_back(tmp_path, geo):
    _old_folder(tmp_path / "old")
    call_command("import_exchange", str(tmp_path / "old"), stdout=StringIO())
    households_anonymise(today=TODAY)
    household = Household.objects.get(external_id="h1")
    assert anonymised(household)
    for _ in range(2):
        out = StringIO()
        call_command("import_exchange", str(tmp_path / "old"), stdout=out)
        assert members_of(household) == [("Anonymisé", "", None, "anonymise")]
        assert list(Transition.objects.filter(pathway__household=household).values_list("reason", flat=True)) == [
            "",
            "",
        ]
    # The second time round nothing at all changes.
    assert "households.csv : 0 créé(s), 0 mis à jour, 1 inchangé(s)" in out.getvalue()
    assert "transitions.csv : 0 créé(s), 0 mis à jour, 2 inchangé(s)" in out.getvalue()


@pytest.mark.django_db
def test_the_service_refuses_to_edit_an_anonymised_household(geo):
    household = household_last_active(800)
    households_anonymise(today=TODAY)
    household.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.household_update(household=household, members=[{"last_name": "Retour"}], by=None)
    assert error.value.messages == [
        f"Ce dossier a été anonymisé le {TODAY:%d/%m/%Y} : ses personnes ne peuvent plus être modifiées."
    ]
    assert members_of(household)[0][0] == "Anonymisé"
