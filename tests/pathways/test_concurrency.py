"""Two people moving the same pathway at the same moment: the row lock must serialise them."""

import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from pathways import services
from pathways.enums import Stage
from pathways.models import Pathway
from tests.pathways.factories import PathwayFactory
from tests.pathways.threads import in_threads

pytestmark = [
    pytest.mark.faults,
    pytest.mark.usefixtures("integrity_after"),
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks (select_for_update is a no-op): run on PostgreSQL (DATABASE_URL).",
    ),
]


def race(pathway_id: int, moves: list[dict]) -> list:
    """Run each move in its own thread and connection; return, per move, the transition or the error."""

    def move(index, barrier):
        barrier.wait()
        try:
            with transaction.atomic():
                pathway = Pathway.objects.get(pk=pathway_id)
                result = services.pathway_transition(pathway=pathway, by=None, **moves[index])
                # Keep the lock a moment so that the other thread surely waits on it.
                time.sleep(0.3)
                return result
        except ValidationError as error:
            return error

    return in_threads(move, len(moves), timeout=30)


@pytest.fixture
def pathway(geo):
    return PathwayFactory(commune=geo.marseille, opened_on=datetime.date(2024, 1, 10))


def test_two_different_moves_from_demande_one_wins(pathway):
    day = datetime.date(2024, 2, 1)

    results = race(pathway.pk, [{"to_stage": Stage.EVALUATION, "on": day}, {"to_stage": Stage.ORIENTE, "on": day}])

    won = [r for r in results if not isinstance(r, ValidationError)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert (len(won), len(lost)) == (1, 1)
    assert "Passage impossible de" in lost[0].message_dict["stage"][0]
    pathway.refresh_from_db()
    assert list(pathway.transitions.values_list("seq", "stage")) == [(1, Stage.DEMANDE), (2, won[0].stage)]
    assert (pathway.stage, pathway.version) == (won[0].stage, 2)


def test_two_moves_on_the_same_version_one_is_told_the_pathway_changed(pathway):
    day = datetime.date(2024, 2, 1)
    same_form = {"on": day, "expected_version": pathway.version}

    results = race(
        pathway.pk, [{"to_stage": Stage.EVALUATION, **same_form}, {"to_stage": Stage.EVALUATION, **same_form}]
    )

    won = [r for r in results if not isinstance(r, ValidationError)]
    lost = [r for r in results if isinstance(r, services.StaleVersionError)]
    assert (len(won), len(lost)) == (1, 1)
    assert lost[0].messages == [
        "Ce parcours a été modifié entre-temps par une autre personne : il est maintenant à l'étape "
        "« Évaluation sociale » depuis le 01/02/2024. Vérifiez son état puis recommencez."
    ]
    pathway.refresh_from_db()
    assert list(pathway.transitions.values_list("seq", "stage")) == [(1, Stage.DEMANDE), (2, Stage.EVALUATION)]
    assert pathway.version == 2
