"""The household timeline's entries about places (web/views/timeline.py): each proposal, its answer and
the end of the occupancy that followed, with who recorded each and when. One query, whatever their number."""

from django.utils import timezone

from places.models import Occupancy, Proposal, proposal_answer_days

KIND = "proposition"


def proposal_entries(by_id: dict, *, show_notes: bool, entry) -> list:
    """`by_id`: the household's pathways the user sees, by id; `entry`: the timeline's Entry class."""
    entries = []
    today = timezone.localdate()
    proposals = Proposal.objects.filter(pathway__in=by_id).select_related(
        "place__site__commune", "proposed_by", "answered_by", "occupancy__ended_by"
    )
    for proposal in proposals:
        pathway = by_id[proposal.pathway_id]
        place = proposal.place
        where = f"« {place.label} », {place.site} ({place.site.commune.name})"
        details = [f"{proposal.reference} · {place.get_kind_display()}"]
        if proposal.is_pending and proposal.days_without_answer(today) > proposal_answer_days():
            details.append(f"Sans réponse depuis {proposal.days_without_answer(today)} jours")
        entries.append(
            entry(
                proposal.proposed_on,
                proposal.proposed_at,
                KIND,
                f"Proposé sur la place {where}",
                pathway,
                proposal.proposed_by,
                details,
            )
        )
        if proposal.answered_on:
            title = f"Proposition {proposal.get_status_display().lower()}"
            if proposal.decline_reason:
                title += f" : {proposal.get_decline_reason_display()}"
            notes = [f"Précisions : {proposal.note}"] if proposal.note and show_notes else []
            entries.append(
                entry(
                    proposal.answered_on,
                    proposal.answered_at or proposal.proposed_at,
                    KIND,
                    title,
                    pathway,
                    proposal.answered_by,
                    [proposal.reference, *notes],
                )
            )
        try:
            occupancy = proposal.occupancy
        except Occupancy.DoesNotExist:
            occupancy = None
        if occupancy is not None and occupancy.ended_on:
            entries.append(
                entry(
                    occupancy.ended_on,
                    occupancy.ended_at or occupancy.recorded_at,
                    KIND,
                    f"Place {where} libérée : {occupancy.get_end_reason_display()}",
                    pathway,
                    occupancy.ended_by,
                    [proposal.reference],
                )
            )
    return entries
