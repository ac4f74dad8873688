import datetime
import itertools
import random

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.models import User
from pathways.demo import PASSWORD, START, TARGETS, DemoBuilder, seed_demo
from pathways.enums import (
    CLOSED_STAGES,
    CREATION_STAGES,
    HOUSED_STAGES,
    PRE_HOUSING_STAGES,
    TRANSITIONS,
    HousingKind,
    Stage,
)
from pathways.models import Contact, Household, Measure, Member, Pathway, Situation, Transition
from territories.enums import StructureKind
from territories.geography import load_geography
from territories.models import Label, Site, Structure

MODELS = (Structure, Site, Label, User, Household, Member, Pathway, Transition, Situation, Contact, Measure)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def geography(db):
    load_geography()


def test_without_the_geography_the_command_says_so_and_writes_nothing(db):
    with pytest.raises(CommandError) as error:
        call_command("seed_demo", households=5)

    assert str(error.value) == ("La géographie n'est pas chargée : lancez d'abord « python manage.py load_geography ».")
    assert set(counts().values()) == {0}


def test_a_small_demo_shows_every_stage_labels_and_working_accounts(geography, client, capsys):
    call_command("seed_demo", households=30, seed=7)

    assert "30 ménages" in capsys.readouterr().out
    stages = set(Pathway.objects.values_list("stage", flat=True))
    assert set(PRE_HOUSING_STAGES) <= stages
    assert stages & set(HOUSED_STAGES)
    assert stages & set(CLOSED_STAGES)
    assert Household.objects.count() == 30

    labels = Label.objects.order_by("id")
    assert [(label.territory_code, label.started_on) for label in labels] == [
        ("epci:200030195", datetime.date(2018, 1, 1)),
        ("epci:240600585", datetime.date(2018, 1, 1)),
        ("epci:200054807", datetime.date(2021, 1, 1)),
        ("epci:248300543", datetime.date(2021, 1, 1)),
        ("commune:84007", datetime.date(2021, 1, 1)),
    ]
    siao = Structure.objects.filter(kind=StructureKind.SIAO)
    assert sorted(siao.values_list("commune__departement", flat=True)) == ["04", "05", "06", "13", "83", "84"]
    sites = Site.objects.values("commune__departement").annotate(n=Count("id"))
    assert {row["commune__departement"] for row in sites} == {"04", "05", "06", "13", "83", "84"}

    # The stage of every pathway is the stage of its latest transition: all went through the services.
    for pathway in Pathway.objects.all():
        latest = pathway.transitions.order_by("-seq").first()
        assert (pathway.stage, pathway.stage_on) == (latest.stage, latest.date)

    for username in ("referent", "coordination", "administration", "observation", "admin"):
        assert client.login(username=username, password=PASSWORD), username
    referent = User.objects.get(username="referent")
    assert sorted(referent.structures.values_list("commune__departement", flat=True)) == ["13", "13"]
    assert Pathway.objects.visible_to(referent).exists()
    administration = User.objects.get(username="administration")
    assert administration.is_staff and not administration.is_superuser
    assert administration.has_perm("territories.change_site")
    assert not administration.has_perm("pathways.view_pathway")
    assert User.objects.get(username="admin").is_superuser


def test_a_second_run_changes_nothing(geography, capsys):
    call_command("seed_demo", households=20, seed=3)
    before = counts()
    capsys.readouterr()

    call_command("seed_demo", households=20, seed=3)

    assert capsys.readouterr().out == (
        f"Les données de démonstration sont déjà présentes (20 ménages, {before['Pathway']} parcours) : "
        "rien n'a été modifié.\n"
    )
    assert counts() == before


def test_the_same_seed_gives_the_same_data_and_a_dry_run_writes_nothing(geography):
    def fingerprint():
        return list(Member.objects.order_by("household__created_on", "id").values_list("last_name", "birth_date"))

    rehearsal = seed_demo(households=25, seed=11, dry_run=True)
    assert set(counts().values()) == {0}

    report = seed_demo(households=25, seed=11)
    first = fingerprint()

    assert (report.households, report.pathways, report.stages) == (
        rehearsal.households,
        rehearsal.pathways,
        rehearsal.stages,
    )
    assert len(first) > 25
    stages = dict(Pathway.objects.values_list("stage").annotate(n=Count("id")))
    assert stages == report.stages


@pytest.mark.parametrize("target", [stage for stage, _ in TARGETS])
def test_every_drawn_plan_follows_the_stage_machine_and_stays_in_the_past(target):
    today = datetime.date(2026, 6, 30)
    for seed in range(150):
        builder = DemoBuilder(random.Random(seed), {}, today=today)
        plan = builder._plan(target)
        opened_on, dates, _ = builder._schedule(plan, target)

        stages = [stage for stage, _ in plan]
        assert stages[0] in CREATION_STAGES
        assert stages[-1] == target
        assert all(b in TRANSITIONS[a] for a, b in itertools.pairwise(stages)), stages
        assert dates[0] == opened_on >= START
        assert dates == sorted(dates) and dates[-1] <= today
        for (stage, fields), (previous, _) in zip(plan[1:], plan, strict=False):
            if stage == Stage.BAIL_SIGNE:
                assert fields["housing_kind"] == HousingKind.PARC_SOCIAL or previous == Stage.PROPOSITION
            if previous == Stage.ATTRIBUE and stage == Stage.ORIENTE:
                assert fields["reason"]
