import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from reports import services
from reports.enums import FigureScope, PeriodKind, RunStatus
from reports.templatetags.french import pluriel, singular_of, unite
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.reports.bilan_scenario import END, START, make_scenario


def test_zero_and_one_take_the_singular():
    assert [pluriel(n, "enregistrement") for n in (0, 1, 2)] == [
        "0 enregistrement",
        "1 enregistrement",
        "2 enregistrements",
    ]
    assert [pluriel(n, "parcours") for n in (0, 1, 2)] == ["0 parcours", "1 parcours", "2 parcours"]
    assert pluriel(5, "travail,travaux") == "5 travaux"
    assert pluriel(4146, "ménage") == "4\u00a0146 ménages"


def test_a_figure_agrees_with_the_catalogue_unit():
    assert unite(0, "attributions") == "0 attribution"
    assert unite(1, "entrées dans les lieux") == "1 entrée dans les lieux"
    assert unite(3, "attributions") == "3 attributions"
    assert unite(Decimal("1.5"), "jours") == "1,5 jour"
    assert unite(Decimal("85.3"), "%") == "85,3 %"
    assert unite(1, "parcours") == "1 parcours"
    assert unite(None, "attributions") == "—"
    assert singular_of("territoires") == "territoire"


def test_the_filter_loads_in_templates():
    template = Template('{% load french %}{{ n|pluriel:"étape" }} sur {{ total|pluriel:"étape" }}')
    assert template.render(Context({"n": 1, "total": 12})) == "1 étape sur 12 étapes"


@pytest.mark.django_db
def test_the_drill_down_page_agrees_zero_in_the_singular(client, geo, django_capture_on_commit_callbacks):
    make_scenario(geo)
    admin = UserFactory(administrator=True)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.bilan_run_request(
            territory=parse_territory("region:93"), start=START, end=END, by=admin, period_kind=PeriodKind.CUSTOM
        )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    figures = run.figures.filter(indicator_code="attributions_sans_abri", scope=FigureScope.YEAR)
    zero = figures.filter(count_value=0).first()
    assert zero is not None
    client.force_login(admin)
    html = client.get(reverse("reports:figure_records", args=[run.pk, zero.pk])).content.decode()
    value = re.search(r'data-testid="figure-value">(.*?)</strong>', html).group(1)
    assert value == "0 attribution"
    assert "<p>0 enregistrement derrière ce chiffre" in html
    several = run.figures.get(indicator_code="attributions_total", scope=FigureScope.TOTAL)
    html = client.get(reverse("reports:figure_records", args=[run.pk, several.pk])).content.decode()
    count = len(several.record_id_list())
    assert count >= 2
    assert f"<p>{count} enregistrements derrière ce chiffre" in html
    assert f'data-testid="figure-value">{several.count_value} attributions</strong>' in html
