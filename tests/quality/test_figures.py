"""Counts, shares and scores per referent structure (quality/figures.py) on the scenario of conftest.py."""

import pytest

from pathways.models import Pathway
from quality.checks import active
from tests.quality.files import figures

pytestmark = pytest.mark.django_db


def counts(figure) -> dict[str, int]:
    return {f.check.code: f.count for f in figure.checks if f.count}


def test_score_per_structure(month):
    result = figures()
    by_name = {s.name: s for s in result.structures}
    assert [s.name for s in result.structures] == ["Association Alpha", "Association Azur", "Bailleur Beta"]
    alpha, azur, beta = by_name["Association Alpha"], by_name["Association Azur"], by_name["Bailleur Beta"]
    # Alpha: clean, stale_at_end, no_situation, late_after_end, opened_after_end; the closed ones are out.
    assert (alpha.structure_id, alpha.files, alpha.clean, alpha.score) == (month.alpha.pk, 5, 3, 60.0)
    assert counts(alpha) == {"situation_inconnue": 1, "saisie_tardive": 1}
    # Beta: a file with two problems is one file without a clean record, and counts for both checks.
    assert (beta.files, beta.clean, beta.score) == (2, 0, 0.0)
    assert counts(beta) == {"situation_inconnue": 1, "naissance_manquante": 1, "date_avant_ouverture": 1}
    assert {f.check.code: f.share for f in beta.checks}["situation_inconnue"] == 50.0
    assert (azur.files, azur.clean, azur.score) == (1, 1, 100.0)


def test_totals_and_shares(month):
    result = figures()
    assert (result.files, result.clean, result.score) == (8, 4, 50.0)
    assert {f.check.code: (f.count, f.share) for f in result.checks} == {
        "situation_inconnue": (2, 25.0),
        "situation_tardive": (0, 0.0),
        "naissance_manquante": (1, 12.5),
        "date_avant_ouverture": (1, 12.5),
        "dossier_inactif": (0, 0.0),
        "doublon_probable": (0, 0.0),
        "saisie_tardive": (1, 12.5),
    }


def test_shares_are_rounded_to_a_tenth(month):
    result = figures(Pathway.objects.filter(active(), referent_structure__in=[month.alpha, month.beta]))
    assert (result.files, result.clean, result.score) == (7, 3, 42.9)
    assert {f.check.code: f.share for f in result.checks}["situation_inconnue"] == 28.6


def test_no_file_no_score(db):
    result = figures(Pathway.objects.none())
    assert (result.files, result.clean, result.score, result.structures) == (0, 0, None, [])
    assert {f.share for f in result.checks} == {None}


def test_one_grouped_query_and_one_for_the_names(month, django_assert_num_queries):
    # The counts per structure (one GROUP BY with a filtered COUNT per check), then the structures' names.
    with django_assert_num_queries(2):
        figures()
