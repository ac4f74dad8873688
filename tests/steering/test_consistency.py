"""The flows read the same read model as the bilan: where the definitions meet, the numbers are the same.
With a contact every month (no pathway becomes inactive), the pathways active at a month end are the
bilan's `parcours_actifs_fin_periode` on that day, and the move-ins of a month left the active list as
`loge` (the pathway's commune is the lease's here)."""

import datetime

import pytest

from facts.models import Exit
from pathways import services
from pathways.enums import SituationKind, Stage
from project.months import months_between
from reports.indicators.axis4 import parcours_actifs_fin_periode
from reports.indicators.events import move_ins
from steering.flows import monthly_flows
from territories.territory import Territory
from tests.pathways.factories import ROAD_TO_ENTREE, PathwayFactory, advance

D = datetime.date
BDR = Territory("departement", "13", "Bouches-du-Rhône")


@pytest.mark.django_db
def test_active_at_month_end_and_housed_agree_with_the_bilan(geo):
    for n in range(12):
        opened = D(2024, 1, 1) + datetime.timedelta(days=17 * n)
        pathway = PathwayFactory(
            commune=geo.marseille if n % 2 else geo.aix, opened_on=opened, situation=SituationKind.RUE
        )
        day = opened + datetime.timedelta(days=25)
        while day < D(2024, 12, 31):
            pathway.refresh_from_db()
            if n % 3 == 0 and day > opened + datetime.timedelta(days=100):
                advance(pathway, *ROAD_TO_ENTREE, on=day)
                break
            if n % 4 == 1 and day > opened + datetime.timedelta(days=150):
                advance(pathway, Stage.RENONCIATION, on=day)
                break
            services.contact_record(pathway=pathway, on=day, kind="telephone", by=None)
            day += datetime.timedelta(days=30)
    months = months_between(D(2024, 1, 1), D(2024, 12, 31))
    flows = monthly_flows(BDR, months)
    assert flows.balanced
    for flow in flows.total:
        assert flow.end == parcours_actifs_fin_periode(BDR, flow.month.last).count(), flow.month.key
        assert flow.outflow[Exit.HOUSED] == move_ins(BDR, flow.month.first, flow.month.last).count()
    assert sum(f.outflow[Exit.HOUSED] for f in flows.total) == 4
    assert sum(f.outflow[Exit.INACTIVE] for f in flows.total) == 0
