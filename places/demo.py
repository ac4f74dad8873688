"""The demo's places (pathways/demo.py calls seed_places once its households are written): the open
sites of Housing First kinds get places, most vacant, some proposed to an oriented household (pending,
some past PROPOSAL_ANSWER_DAYS), some declined with a coded reason, some accepted (occupied), a few
unavailable. Every write goes through places/services.py; the same rng gives the same places."""

import random
from datetime import date, timedelta

from pathways.enums import Stage
from places import services
from places.enums import HOUSEHOLD_REASONS, STRUCTURE_REASONS, PlaceState, ProposalStatus, UnavailableReason
from places.models import Place
from territories.enums import SiteKind

KINDS = (SiteKind.IML_SOUS_LOCATION, SiteKind.IML_MANDAT_GESTION, SiteKind.PENSION_FAMILLE, SiteKind.RESIDENCE_ACCUEIL)
# (label, persons min, persons max, bedrooms) of a dwelling in diffuse housing (IML).
IML_TYPES = (("Studio", 1, 1, 0), ("T2", 1, 2, 1), ("T3", 2, 4, 2), ("T4", 3, 6, 3))
FLOORS = ("rez-de-chaussée", "1er étage", "2e étage", "3e étage")


def seed_places(*, rng: random.Random, sites, pathways, today: date, by, stages: dict[str, int]) -> int:
    """Create the places of `sites` (those of KINDS, open) and propose some of `pathways` (the demo's) on
    them; `stages` (the demo's report, stage -> pathways) follows the pathways moved to `proposition`.
    Returns the number of places made."""
    made = []
    for site in sites:
        if site.kind not in KINDS or site.closed_on:
            continue
        for number in range(min(site.places, 3)):
            if site.kind in (SiteKind.PENSION_FAMILLE, SiteKind.RESIDENCE_ACCUEIL):
                label, low, high, bedrooms = f"Studio {number + 1}", 1, 1, 0
            else:
                kind, low, high, bedrooms = rng.choice(IML_TYPES)
                label = f"{kind} {rng.choice(FLOORS)}, lot {number + 1}"
            since = max(site.opened_on, today - timedelta(days=rng.randint(1, 150)))
            made.append(
                services.place_create(
                    site=site,
                    label=label,
                    persons_min=low,
                    persons_max=high,
                    bedrooms=bedrooms,
                    reduced_mobility=rng.random() < 0.2,
                    pets_allowed=rng.random() < (0.3 if site.kind == SiteKind.IML_SOUS_LOCATION else 0.1),
                    vacant_from=since,
                    by=None,
                )
            )
    _propose(rng=rng, places=made, pathways=pathways, today=today, by=by, stages=stages)
    for place in Place.objects.filter(pk__in=[p.pk for p in made], state=PlaceState.VACANT).order_by("pk"):
        if rng.random() < 0.06:
            on = max(place.state_since, today - timedelta(days=rng.randint(0, 30)))
            services.place_mark_unavailable(place=place, on=on, reason=UnavailableReason.TRAVAUX, by=by)
    return len(made)


def _propose(*, rng, places, pathways, today, by, stages):
    """Half of each département's oriented households (the other half stays in the queue) on a vacant
    place of their département that fits them."""
    oriented = list(pathways.filter(stage=Stage.ORIENTE).select_related("household", "commune").order_by("pk"))
    chosen = oriented[: len(oriented) // 2]
    for pathway in chosen:
        size = pathway.household.size
        fits = [
            p
            for p in places
            if p.state == PlaceState.VACANT
            and p.site.commune.departement_id == pathway.commune.departement_id
            and p.persons_min <= size <= p.persons_max
        ]
        if not fits:
            continue
        place = rng.choice(fits)
        on = max(pathway.stage_on, place.state_since, today - timedelta(days=rng.randint(0, 25)))
        proposal = services.proposal_create(place=place, pathway=pathway, on=on, by=by)
        outcome = rng.random()
        answered_on = min(today, on + timedelta(days=rng.randint(1, 10)))
        if outcome < 0.45:
            stages[Stage.ORIENTE] -= 1
            stages[Stage.PROPOSITION] = stages.get(Stage.PROPOSITION, 0) + 1
        elif outcome < 0.7:
            status = rng.choice((ProposalStatus.DECLINED_BY_HOUSEHOLD, ProposalStatus.DECLINED_BY_STRUCTURE))
            reasons = HOUSEHOLD_REASONS if status == ProposalStatus.DECLINED_BY_HOUSEHOLD else STRUCTURE_REASONS
            reason = rng.choice([r for r in reasons if r != "autre"])
            services.proposal_answer(proposal=proposal, status=status, reason=reason, on=answered_on, by=by)
        else:
            services.proposal_answer(proposal=proposal, status=ProposalStatus.ACCEPTED, on=answered_on, by=by)
            stages[Stage.ORIENTE] -= 1
            stages[Stage.PROPOSITION] = stages.get(Stage.PROPOSITION, 0) + 1
        place.refresh_from_db()
