"""The figures of the day stored (quality/daily.py, QualityDay): the cells of the one grouped query
(quality/figures.py) per referent structure and commune, the replacement of a day's rows, the nightly task
and the command, and the page that reads them (or computes them live when none is recent). On the scenario
of conftest.py."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from pathways import services
from pathways.enums import ContactKind, SituationKind
from quality.checks import CHECKS
from quality.daily import KEEP_DAYS, snapshot_day, stored_day
from quality.models import QualityDay
from quality.tasks import snapshot_today_task
from tests.accounts.factories import UserFactory
from tests.quality.files import BORN, days_ago, open_file, today

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("quality:overview")
CODES = [c.code for c in CHECKS]
COLUMNS = ("structure_id", "commune", "epci", "departement", "region", "files", "clean", *CODES)


def cells(day) -> set[tuple]:
    return set(QualityDay.objects.filter(day=day).exclude(structure_id=QualityDay.MARK).values_list(*COLUMNS))


def counts(**nonzero) -> tuple[int, ...]:
    return tuple(nonzero.get(code, 0) for code in CODES)


def test_one_column_per_check():
    fields = {f.name for f in QualityDay._meta.get_fields()}
    plain = {"id", "day", "structure_id", "commune", "epci", "departement", "region", "files", "clean", "computed_at"}
    assert fields - plain == set(CODES)


def test_the_cells_of_a_day(month):
    assert snapshot_day(today()) == 3
    assert cells(today()) == {
        (month.alpha.pk, "13055", "200054807", "13", "93", 5, 3, *counts(situation_inconnue=1, saisie_tardive=1)),
        (
            month.beta.pk,
            "13001",
            "200054807",
            "13",
            "93",
            2,
            0,
            *counts(situation_inconnue=1, naissance_manquante=1, date_avant_ouverture=1),
        ),
        (month.azur.pk, "06088", "200030195", "06", "93", 1, 1, *counts()),
    }
    mark = QualityDay.objects.get(day=today(), structure_id=QualityDay.MARK)
    assert (mark.commune, mark.region, mark.files, mark.clean, mark.situation_inconnue) == ("", "", 0, 0, 0)


def test_two_communes_of_a_structure_are_two_cells(month, geo):
    open_file(month.alpha, geo.aix, opened_on=days_ago(10), situation="")
    snapshot_day(today())
    alpha = {c[1]: (c[5], c[6], c[7]) for c in cells(today()) if c[0] == month.alpha.pk}
    # (files, clean, situation_inconnue) in Marseille and in Aix.
    assert alpha == {"13055": (5, 3, 1), "13001": (1, 0, 1)}


def test_replacing_a_day_and_keeping_the_last_ones(month):
    snapshot_day(today())
    QualityDay.objects.filter(day=today(), structure_id=month.alpha.pk).update(files=99, situation_inconnue=9)
    old = {days_ago(KEEP_DAYS), days_ago(KEEP_DAYS - 1)}
    for day in old:
        QualityDay.objects.create(day=day, structure_id=QualityDay.MARK, files=0, clean=0, computed_at=timezone.now())
    assert snapshot_day(today()) == 3
    assert QualityDay.objects.filter(day=today()).count() == 4
    alpha = QualityDay.objects.get(day=today(), structure_id=month.alpha.pk)
    assert (alpha.files, alpha.situation_inconnue) == (5, 1)
    # Seven days kept: today and the six before it.
    assert set(QualityDay.objects.values_list("day", flat=True)) == {today(), days_ago(KEEP_DAYS - 1)}


def test_a_day_without_any_active_file_is_computed(db):
    assert stored_day(Q(), today=today()) is None
    assert snapshot_day(today()) == 0
    # France (every row), a région, structures, nothing: the day is stored, with no structure.
    for scope in (Q(), Q(region="93"), Q(structure_id__in=[1, 2]), Q(pk__in=[])):
        stored = stored_day(scope, today=today())
        assert (stored.day, stored.rows) == (today(), []), scope


def test_the_nightly_task_and_its_beat_entry(month):
    from django.conf import settings

    assert snapshot_today_task() == 3
    assert set(QualityDay.objects.values_list("day", flat=True)) == {today()}
    entry = settings.CELERY_BEAT_SCHEDULE["quality-snapshot-today"]
    assert entry["task"] == "quality.snapshot_today"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {15})


def test_the_command_computes_today_on_request(month, capsys):
    call_command("quality_snapshots", "--months", "1")
    assert not QualityDay.objects.exists()
    call_command("quality_snapshots", "--months", "1", "--today")
    out = capsys.readouterr().out
    assert f"Chiffres du {today().strftime('%d/%m/%Y')} calculés en" in out
    assert "(3 ligne(s))" in out
    assert cells(today()) and QualityDay.objects.filter(day=today(), structure_id=QualityDay.MARK).exists()


def figures_of_page(response) -> dict:
    """Everything the page shows of the figures of the day."""
    shown = response.context["shown"]
    return {
        "shown": (shown.files, shown.clean, shown.score),
        "checks": [
            (r["figure"].check.code, r["figure"].count, r["figure"].share, r["url"]) for r in response.context["checks"]
        ],
        "structures": [
            (
                s["figure"].structure_id,
                s["figure"].name,
                s["figure"].files,
                s["figure"].clean,
                s["figure"].score,
                s["url"],
            )
            for s in response.context["structures"]
        ],
        "chosen": response.context["chosen"].structure_id if response.context["chosen"] else None,
    }


@pytest.fixture
def every_check(month, geo):
    """Beside the scenario, a file for each check it leaves at 0: a late situation, a stale file, and one
    person followed by Alpha and Beta (a probable duplicate, counted in both)."""
    late = open_file(month.alpha, geo.aix, opened_on=days_ago(20), situation="")
    services.situation_record(pathway=late, situation=SituationKind.CHRS, since=days_ago(19), by=None)
    open_file(month.beta, geo.aix, opened_on=days_ago(200))
    twins = [{"last_name": "Durand", "first_name": "Alex", "birth_date": BORN}]
    open_file(month.alpha, geo.marseille, opened_on=days_ago(30), members=twins)
    twin = open_file(month.beta, geo.aix, opened_on=days_ago(10), members=twins)
    services.contact_record(pathway=twin, on=days_ago(2), kind=ContactKind.TELEPHONE, by=None)


@pytest.mark.parametrize("role", ["caseworker", "coordinator", "administrator", "superuser"])
def test_the_stored_figures_are_the_live_ones(client, month, every_check, role):
    users = {
        "caseworker": lambda: month.sam,
        "coordinator": lambda: UserFactory(username="coord", coordinator=True),
        "administrator": lambda: UserFactory(username="admin93", administrator=True),
        "superuser": lambda: UserFactory(username="root", is_superuser=True, is_staff=True),
    }
    client.force_login(users[role]())
    queries = [{}, {"structure": month.alpha.pk}, {"structure": month.beta.pk}]
    live = [client.get(OVERVIEW, query) for query in queries]
    assert {r.context["computed_at"] for r in live} == {None}
    snapshot_day(today())
    stored = [client.get(OVERVIEW, query) for query in queries]
    assert all(r.context["computed_at"] is not None for r in stored)
    for before, after in zip(live, stored, strict=True):
        assert figures_of_page(after) == figures_of_page(before)
    # The scenario flags every check somewhere, so that each column is compared with a count that is not 0.
    everything = figures_of_page(live[0]) if role != "caseworker" else None
    if everything is not None:
        assert all(count for _code, count, _share, _url in everything["checks"])
        assert figures_of_page(stored[0])["chosen"] is None
        assert figures_of_page(stored[2])["chosen"] == month.beta.pk


def computed_line(response) -> str:
    line = re.search(r'<p class="fr-text--sm" data-testid="computed">(.*?)</p>', response.content.decode(), re.S)
    return line.group(1).replace("&#x27;", "'")


def test_the_page_reads_the_stored_day(client, month, stored_today):
    QualityDay.objects.filter(day=today(), structure_id=month.alpha.pk).update(files=40, clean=30, situation_inconnue=9)
    at = timezone.make_aware(datetime.datetime.combine(today(), datetime.time(2, 15)))
    QualityDay.objects.filter(day=today()).update(computed_at=at)
    client.force_login(UserFactory(username="coord", coordinator=True))
    response = client.get(OVERVIEW)
    alpha = next(s["figure"] for s in response.context["structures"] if s["figure"].structure_id == month.alpha.pk)
    assert (alpha.files, alpha.clean, alpha.score, alpha.counts["situation_inconnue"]) == (40, 30, 75.0, 9)
    assert (response.context["shown"].files, response.context["shown"].clean) == (42, 30)
    assert {r["figure"].check.code: r["figure"].count for r in response.context["checks"]}["situation_inconnue"] == 10
    day = today().strftime("%d/%m/%Y")
    assert (
        computed_line(response)
        == f"Chiffres calculés le {day} à 02:15 ; les listes de dossiers sont à jour à la minute."
    )
    assert f"de <strong>Bouches-du-Rhône</strong> au {day} :" in response.content.decode()
    # An administrator has no lists: the figures' time only.
    client.force_login(UserFactory(username="admin93", administrator=True))
    assert computed_line(client.get(OVERVIEW)) == f"Chiffres calculés le {day} à 02:15."


def test_the_lists_stay_live(client, month, geo, stored_today):
    added = open_file(month.alpha, geo.marseille, opened_on=days_ago(3), situation="")
    client.force_login(month.sam)
    response = client.get(OVERVIEW)
    assert {r["figure"].check.code: r["figure"].count for r in response.context["checks"]}["situation_inconnue"] == 1
    listed = set(
        re.findall(
            r'<tr data-reference="(P-\d+)"',
            client.get(reverse("quality:files", args=["situation_inconnue"])).content.decode(),
        )
    )
    assert listed == {month.no_situation.reference, added.reference}


def test_yesterday_is_read_the_day_before_is_not(client, month):
    snapshot_day(today())
    QualityDay.objects.update(day=days_ago(1), files=0)  # every cell with 0 files: what the page reads is plain
    QualityDay.objects.filter(structure_id=month.alpha.pk).update(files=50, clean=50)
    client.force_login(month.sam)
    response = client.get(OVERVIEW)
    assert (response.context["shown"].files, response.context["figures_day"]) == (50, days_ago(1))
    assert computed_line(response).startswith(f"Chiffres calculés le {today().strftime('%d/%m/%Y')} à ")
    # Older than yesterday: the live figures, computed for this page.
    QualityDay.objects.update(day=days_ago(2))
    response = client.get(OVERVIEW)
    assert (response.context["shown"].files, response.context["shown"].clean) == (5, 3)
    assert response.context["figures_day"] == today()
    assert computed_line(response) == "Chiffres calculés à l'ouverture de la page."


def test_a_stored_day_wins_over_the_day_before(month):
    snapshot_day(today())
    QualityDay.objects.update(day=days_ago(1))
    snapshot_day(today())
    QualityDay.objects.filter(day=days_ago(1), structure_id=month.alpha.pk).update(files=77)
    stored = stored_day(Q(structure_id__in=[month.alpha.pk]), today=today())
    assert (stored.day, [(r["structure_id"], r["files"], r["clean"]) for r in stored.rows]) == (
        today(),
        [(month.alpha.pk, 5, 3)],
    )


def test_no_stored_day_at_all(client, month):
    client.force_login(UserFactory(username="coord", coordinator=True))
    response = client.get(OVERVIEW)
    assert (response.context["shown"].files, response.context["shown"].clean) == (7, 3)
    assert computed_line(response) == "Chiffres calculés à l'ouverture de la page."


def test_the_demo_leaves_todays_figures_stored(db, client):
    from territories.geography import load_geography

    load_geography()
    call_command("seed_demo", households=20, seed=3)
    mark = QualityDay.objects.get(day=today(), structure_id=QualityDay.MARK)
    assert QualityDay.objects.filter(day=today()).exclude(structure_id=QualityDay.MARK).exists()
    # A second run keeps them; with today's figures gone, it computes them again.
    call_command("seed_demo", households=20, seed=3)
    assert QualityDay.objects.get(day=today(), structure_id=QualityDay.MARK).computed_at == mark.computed_at
    QualityDay.objects.all().delete()
    call_command("seed_demo", households=20, seed=3)
    assert QualityDay.objects.filter(day=today(), structure_id=QualityDay.MARK).exists()
