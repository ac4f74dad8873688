"""Figures of the supply of places and of the proposals, for coordinators and the bilan's annex
(docs/indicateurs.md, « Annexe : offre et propositions »).

Every figure is computed by the database: counts and groupings are aggregates, each place's state and
vacancy start at a date are correlated subqueries over its history (PlaceEvent, ordered by date then
by entry), and medians are PostgreSQL's percentile_cont, or on SQLite the same exact value read from
the one or two middle rows (count, then ORDER BY ... LIMIT/OFFSET). These figures are not among the
19 indicators of the plan: the catalogue, its figures and the `bilan` command are untouched.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    DateField,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)

from places.enums import DECLINED_STATUSES, DeclineReason, PlaceState, ProposalStatus
from places.models import Occupancy, Place, PlaceEvent, Proposal
from project.expressions import DaysBetween
from reports.indicators.figures import percent, round_tenth
from territories.territory import Territory

# A place is in a vacancy while vacant or proposed (a proposal does not fill it); these states end one.
VACANCY_STATES = (PlaceState.VACANT, PlaceState.PROPOSED)
BREAK_STATES = (PlaceState.OCCUPIED, PlaceState.UNAVAILABLE)


class _PercentileMedian(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def median_days(queryset, field_name: str) -> float | None:
    """The median of an integer annotation over `queryset` (an even count: the mean of the two middle
    values), rounded to the tenth like the plan's medians; None when the queryset is empty."""
    if connection.vendor == "postgresql":
        value = queryset.aggregate(median=_PercentileMedian(F(field_name)))["median"]
        # The median of integers is a whole number or a half: twice it is exact in a float.
        return None if value is None else round_tenth(round(value * 2), 2)
    count = queryset.count()
    if not count:
        return None
    middle = list(queryset.order_by(field_name).values_list(field_name, flat=True)[(count - 1) // 2 : count // 2 + 1])
    return round_tenth(sum(middle), len(middle))


def _vacancy_start(place, before: Q, break_before: Q) -> Subquery:
    """The start of the vacancy a place is in at a point of its history: the first `vacante` row after
    its last `occupee` or `indisponible` row (or its first `vacante` row when it never had one), all
    before that point. `place`: the place, from the outer query; `before`: the rows before the point, as
    seen from the outer query; `break_before`: the same, seen one subquery deeper."""
    last_break = PlaceEvent.objects.filter(break_before, place=OuterRef("place_id"), state__in=BREAK_STATES).order_by(
        "-on", "-id"
    )
    starts = (
        PlaceEvent.objects.filter(before, place=place, state=PlaceState.VACANT)
        .annotate(
            break_on=Subquery(last_break.values("on")[:1], output_field=DateField()),
            break_id=Subquery(last_break.values("id")[:1]),
        )
        .filter(Q(break_on__isnull=True) | Q(on__gt=F("break_on")) | Q(on=F("break_on"), id__gt=F("break_id")))
        .order_by("on", "id")
        .values("on")[:1]
    )
    return Subquery(starts, output_field=DateField())


def places_in_vacancy(territory: Territory, on: date):
    """Places of the sites of `territory` in a vacancy on `on` (their last state dated on or before it is
    vacant or proposed), annotated with `vacancy_start` and `vacancy_age` (days from the start to `on`)."""
    state_on = PlaceEvent.objects.filter(place=OuterRef("pk"), on__lte=on).order_by("-on", "-id").values("state")[:1]
    return (
        Place.objects.in_territory(territory)
        .annotate(state_on=Subquery(state_on, output_field=CharField()))
        .filter(state_on__in=VACANCY_STATES)
        .annotate(vacancy_start=_vacancy_start(OuterRef("pk"), Q(on__lte=on), Q(on__lte=on)))
        .annotate(vacancy_age=DaysBetween(Value(on, output_field=DateField()), F("vacancy_start")))
    )


def occupancies_filled(territory: Territory, start: date, end: date):
    """Occupancies reserved (proposal accepted) during [start, end], place in `territory`, whose vacancy
    start is known, annotated with `vacancy_days` (days from the vacancy's start to the reservation)."""
    anchor = PlaceEvent.objects.filter(
        place=OuterRef("place_id"),
        pathway=OuterRef("pathway_id"),
        state=PlaceState.OCCUPIED,
        on=OuterRef("reserved_on"),
    ).order_by("id")
    return (
        Occupancy.objects.filter(territory.commune_q("place__site__commune"), reserved_on__range=(start, end))
        .annotate(anchor_id=Subquery(anchor.values("id")[:1]))
        .filter(anchor_id__isnull=False)
        .annotate(
            vacancy_start=_vacancy_start(
                OuterRef("place_id"),
                # Before the occupancy's own `occupee` row: earlier days, or earlier rows of its day.
                Q(on__lt=OuterRef("reserved_on")) | Q(on=OuterRef("reserved_on"), id__lt=OuterRef("anchor_id")),
                Q(on__lt=OuterRef(OuterRef("reserved_on")))
                | Q(on=OuterRef(OuterRef("reserved_on")), id__lt=OuterRef(OuterRef("anchor_id"))),
            )
        )
        .filter(vacancy_start__isnull=False)
        .annotate(vacancy_days=DaysBetween(F("reserved_on"), F("vacancy_start")))
    )


def proposals_made(territory: Territory, start: date, end: date):
    """Proposals made during [start, end] on a place of `territory`, annotated with `outcome`, their
    status as known on `end` (an answer given after `end` leaves it pending)."""
    return Proposal.objects.filter(
        territory.commune_q("place__site__commune"), proposed_on__range=(start, end)
    ).annotate(
        outcome=Case(
            When(answered_on__lte=end, then=F("status")),
            default=Value(ProposalStatus.PENDING),
            output_field=CharField(),
        )
    )


@dataclass
class SupplyFigures:
    """The annex's figures for a territory, a period and its end date."""

    territory: Territory
    start: date
    end: date
    vacant: int = 0
    vacant_proposed: int = 0
    median_vacancy_age: float | None = None
    filled: int = 0
    median_days_to_fill: float | None = None
    proposals: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    accepted_share: float | None = None

    @property
    def outcome_rows(self) -> list[tuple[str, str, int]]:
        return [(code, label, self.outcomes.get(code, 0)) for code, label in ProposalStatus.choices]

    @property
    def reason_rows(self) -> list[tuple[str, str, int]]:
        return [(code, label, self.reasons.get(code, 0)) for code, label in DeclineReason.choices]


def supply_figures(territory: Territory, start: date, end: date) -> SupplyFigures:
    """Every figure of the annex (seven queries on PostgreSQL)."""
    figures = SupplyFigures(territory, start, end)
    vacant = places_in_vacancy(territory, end)
    counts = vacant.aggregate(total=Count("pk"), proposed=Count("pk", filter=Q(state_on=PlaceState.PROPOSED)))
    figures.vacant, figures.vacant_proposed = counts["total"], counts["proposed"]
    figures.median_vacancy_age = median_days(vacant, "vacancy_age") if figures.vacant else None
    filled = occupancies_filled(territory, start, end)
    figures.filled = filled.count()
    figures.median_days_to_fill = median_days(filled, "vacancy_days") if figures.filled else None
    made = proposals_made(territory, start, end)
    figures.outcomes = dict(made.order_by().values_list("outcome").annotate(n=Count("pk")))
    figures.proposals = sum(figures.outcomes.values())
    figures.reasons = dict(
        made.filter(outcome__in=DECLINED_STATUSES).order_by().values_list("decline_reason").annotate(n=Count("pk"))
    )
    accepted = figures.outcomes.get(ProposalStatus.ACCEPTED, 0)
    declined = sum(figures.outcomes.get(status, 0) for status in DECLINED_STATUSES)
    figures.accepted_share = percent(accepted, accepted + declined)
    return figures


def has_places(territory: Territory) -> bool:
    return Place.objects.in_territory(territory).exists()


# --- the bilan's annex ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnexRow:
    code: str
    label: str
    unit: str
    cell: object  # reports.exports.tables.Cell
    # Indented under the row above (« dont ... », a breakdown).
    detail: bool = False


@dataclass
class Annex:
    """« Annexe : offre et propositions » of a bilan: the supply figures as cells, formatted in French,
    with the statistical secrecy of published bilans when asked (counts of 1 to 4 shown « < 5 », medians
    and percentages of fewer than 5 cases « secret », and what would let them be recomputed)."""

    figures: SupplyFigures
    rows: list[AnnexRow]
    secrecy: bool

    @property
    def title(self) -> str:
        return "Annexe : offre et propositions"

    @property
    def end_text(self) -> str:
        return f"{self.figures.end:%d/%m/%Y}"


OUTCOME_LABELS = {
    ProposalStatus.PENDING: "en attente à la fin de la période",
    ProposalStatus.ACCEPTED: "acceptées",
    ProposalStatus.DECLINED_BY_STRUCTURE: "refusées par la structure",
    ProposalStatus.DECLINED_BY_HOUSEHOLD: "refusées par le ménage",
    ProposalStatus.WITHDRAWN: "retirées",
}


def build_annex(figures: SupplyFigures, *, secrecy: bool) -> Annex:
    from reports.exports.tables import (
        COMPLEMENTARY_NOTE,
        FEW_CASES_NOTE,
        SECRECY_THRESHOLD,
        SMALL_COUNT_NOTE,
        complementary_suppression,
        make_cell,
    )

    declined = sum(figures.outcomes.get(status, 0) for status in DECLINED_STATUSES)
    answered = declined + figures.outcomes.get(ProposalStatus.ACCEPTED, 0)
    end = f"{figures.end:%d/%m/%Y}"
    # (code, label, unit, value, cases for a median or a rate (None for a count), detail)
    specs = [
        (
            "places_vacantes",
            f"Places en vacance (vacantes ou proposées) le {end}",
            "places",
            figures.vacant,
            None,
            False,
        ),
        ("places_vacantes_proposees", "dont proposées à un ménage", "places", figures.vacant_proposed, None, True),
        (
            "age_median_vacance",
            f"Âge médian de ces vacances le {end}",
            "jours",
            figures.median_vacancy_age,
            figures.vacant,
            False,
        ),
        (
            "places_attribuees",
            "Places attribuées pendant la période (délai connu)",
            "places",
            figures.filled,
            None,
            False,
        ),
        (
            "delai_median_vacance_occupation",
            "Délai médian de la vacance à l'attribution",
            "jours",
            figures.median_days_to_fill,
            figures.filled,
            False,
        ),
        ("propositions", "Propositions faites pendant la période", "propositions", figures.proposals, None, False),
    ]
    specs += [
        (f"propositions_{code}", label, "propositions", figures.outcomes.get(code, 0), None, True)
        for code, label in OUTCOME_LABELS.items()
    ]
    specs.append(("refus", "Refus donnés pendant la période, par motif :", "propositions", declined, None, False))
    specs += [(f"refus_{code}", label, "propositions", count, None, True) for code, label, count in figures.reason_rows]
    specs.append(
        (
            "part_propositions_acceptees",
            "Part des propositions acceptées (hors retirées et en attente)",
            "%",
            figures.accepted_share,
            answered,
            False,
        )
    )
    reasons = {}
    if secrecy:
        values = {code: value for code, _, _, value, cases, _ in specs if cases is None}
        primary = {code for code, value in values.items() if 1 <= value < SECRECY_THRESHOLD}
        groups = [
            ("propositions", [f"propositions_{code}" for code in OUTCOME_LABELS]),
            ("refus", [f"refus_{code}" for code in DeclineReason.values]),
            ("refus", [f"propositions_{status}" for status in DECLINED_STATUSES]),
        ]
        # Totals equal to the sum of their parts: a hidden part must not be recomputed from the others.
        hidden = complementary_suppression(values, groups, primary)
        reasons = {code: SMALL_COUNT_NOTE if code in primary else COMPLEMENTARY_NOTE for code in hidden}
        for code, _, _, value, cases, _ in specs:
            if cases is not None and value is not None and cases < SECRECY_THRESHOLD:
                reasons[code] = FEW_CASES_NOTE
    rows = [
        AnnexRow(code, label, unit, make_cell(value, hidden_because=reasons.get(code, "")), detail)
        for code, label, unit, value, _, detail in specs
    ]
    return Annex(figures, rows, secrecy)


def bilan_annex(territory: Territory, start: date, end: date, *, secrecy: bool) -> Annex | None:
    """The annex of a bilan of `territory` over [start, end], or None when the territory has no place
    (one query then)."""
    if not has_places(territory):
        return None
    return build_annex(supply_figures(territory, start, end), secrecy=secrecy)
