"""The supply figures of the bilan's annex (docs/indicateurs.md, « Annexe : offre et propositions »), each
on a small scenario built through the services, with its exact expected value and its edge cases."""

import datetime

import pytest

from pathways.enums import Stage
from pathways.services import pathway_transition
from places import services
from places.figures import supply_figures
from territories.territory import parse_territory
from tests.places.factories import make_place, oriented_pathway
from tests.territories.factories import SiteFactory

D = datetime.date


@pytest.fixture
def scenario(geo):
    """Places of Marseille (département 13) and one of Nice (06), through their lives in early 2024."""
    marseille = SiteFactory(commune=geo.marseille)
    nice = SiteFactory(commune=geo.nice)

    def pathway():
        return oriented_pathway(on=D(2024, 1, 2))

    def propose(place, on, who=None):
        return services.proposal_create(place=place, pathway=who or pathway(), on=on, by=None)

    def answer(proposal, status, on, reason=""):
        return services.proposal_answer(proposal=proposal, status=status, on=on, by=None, reason=reason)

    # A: vacant since 2 January; a proposal withdrawn (the household moved back) leaves the vacancy on.
    a = make_place(site=marseille, label="A", on=D(2024, 1, 2))
    withdrawn = propose(a, D(2024, 2, 5))
    pathway_transition(pathway=withdrawn.pathway, to_stage=Stage.ORIENTE, on=D(2024, 2, 6), by=None)
    # B: vacant since 10 January, declined by a household, then proposed again (pending).
    b = make_place(site=marseille, label="B", on=D(2024, 1, 10))
    answer(propose(b, D(2024, 1, 15)), "refusee_menage", D(2024, 1, 25), "localisation")
    propose(b, D(2024, 2, 1))
    # C: out of service from 20 January (works), back on 20 February, declined by the structure.
    c = make_place(site=marseille, label="C", on=D(2024, 1, 5))
    services.place_mark_unavailable(place=c, on=D(2024, 1, 20), reason="travaux", by=None)
    services.place_declare_vacant(place=c, on=D(2024, 2, 20), by=None)
    answer(propose(c, D(2024, 2, 22)), "refusee_structure", D(2024, 2, 25), "typologie")
    # D: vacant on 3 January, accepted on 20 January (17 days).
    d = make_place(site=marseille, label="D", on=D(2024, 1, 3))
    answer(propose(d, D(2024, 1, 15)), "acceptee", D(2024, 1, 20))
    # G: filled in 10 days, freed on 1 February, filled again in 14 days.
    g = make_place(site=marseille, label="G", on=D(2024, 1, 2))
    answer(propose(g, D(2024, 1, 10)), "acceptee", D(2024, 1, 12))
    services.place_declare_vacant(place=g, on=D(2024, 2, 1), by=None)
    answer(propose(g, D(2024, 2, 10)), "acceptee", D(2024, 2, 15))
    # F: created after the date of the figures.
    make_place(site=marseille, label="F", on=D(2024, 3, 5))
    # E: in Nice, vacant since 1 February, declined by a household (cost).
    e = make_place(site=nice, label="E", on=D(2024, 2, 1))
    answer(propose(e, D(2024, 2, 2)), "refusee_menage", D(2024, 2, 3), "cout")


START, END = D(2024, 1, 1), D(2024, 3, 1)


def figures(territory, start=START, end=END):
    return supply_figures(parse_territory(territory), start, end)


def test_vacant_places_at_the_date_count_vacant_and_proposed_ones(scenario):
    result = figures("departement:13")

    # A (vacant), B (proposed), C (vacant again); D and G are occupied, F does not exist yet.
    assert (result.vacant, result.vacant_proposed) == (3, 1)


def test_the_vacancy_age_runs_from_the_start_of_the_vacancy(scenario):
    # A: 59 days (a withdrawn proposal does not end the vacancy), B: 51 (nor does a declined one),
    # C: 10 (the vacancy starts again when the place is back in service): median 51.
    assert figures("departement:13").median_vacancy_age == 51.0
    # Nice's only vacant place, since 1 February: 29 days on 1 March 2024.
    assert figures("commune:06088").median_vacancy_age == 29.0


def test_an_even_count_takes_the_mean_of_the_two_middle_ages(geo):
    site = SiteFactory(commune=geo.marseille)
    make_place(site=site, label="X", on=D(2024, 2, 20))
    make_place(site=site, label="Y", on=D(2024, 2, 15))

    result = figures("commune:13055")

    assert (result.vacant, result.median_vacancy_age) == (2, 12.5)


def test_a_territory_without_places_has_no_median(geo):
    result = figures("departement:84")

    assert (result.vacant, result.median_vacancy_age, result.filled, result.median_days_to_fill) == (0, None, 0, None)
    assert (result.proposals, result.accepted_share) == (0, None)


def test_days_from_vacancy_to_occupancy(scenario):
    result = figures("departement:13", end=D(2024, 3, 31))

    # D: 17 days; G: 10 days, then 14 days from its freeing (the vacancy starts again): median 14.
    assert (result.filled, result.median_days_to_fill) == (3, 14.0)
    # Only the acceptances of the period: G's second one (15 February) is after this end.
    assert (
        figures("departement:13", end=D(2024, 2, 14)).filled,
        figures("departement:13", end=D(2024, 2, 14)).median_days_to_fill,
    ) == (2, 13.5)


def test_proposals_by_outcome_and_by_coded_reason(scenario):
    result = figures("departement:13")

    assert result.proposals == 7
    assert result.outcomes == {
        "acceptee": 3,
        "refusee_menage": 1,
        "refusee_structure": 1,
        "retiree": 1,
        "en_attente": 1,
    }
    assert result.reasons == {"localisation": 1, "typologie": 1}
    # Nice's decline is Nice's, and the region counts both.
    assert figures("commune:06088").reasons == {"cout": 1}
    assert figures("region:93").reasons == {"localisation": 1, "typologie": 1, "cout": 1}


def test_an_answer_after_the_end_leaves_the_proposal_pending(scenario):
    result = figures("departement:13", end=D(2024, 1, 22))

    # Proposed by 22 January: B's first (declined on 25 January: pending then), D's and G's first.
    assert result.outcomes == {"en_attente": 1, "acceptee": 2}
    assert result.reasons == {}


def test_the_share_accepted_leaves_withdrawn_and_pending_proposals_out(scenario):
    # 3 accepted of 5 answered (3 + 2 declined); the withdrawn and the pending one do not count.
    assert figures("departement:13").accepted_share == 60.0
    assert figures("commune:06088").accepted_share == 0.0
    assert figures("departement:13", end=D(2024, 1, 22)).accepted_share == 100.0
