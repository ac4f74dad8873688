"""What only a browser shows on the bilan page: the year columns of every axis table line up, the
indicator column is wide enough to read, the charts take the page's width and no legend is cut."""

import pytest
from playwright.sync_api import expect

from reports import services
from reports.enums import PeriodKind
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.geo import make_geo
from tests.reports.bilan_scenario import END, START, make_scenario


@pytest.mark.django_db(transaction=True)
def test_the_bilan_tables_line_up_and_the_charts_fit_the_page(page):
    make_scenario(make_geo())
    admin = UserFactory(username="dreets", administrator=True)
    run = services.bilan_run_request(
        territory=parse_territory("region:93"), start=START, end=END, by=admin, period_kind=PeriodKind.PLAN_2018_2022
    )
    sign_in(page, "dreets")
    page.goto(f"{page.base_url}/bilans/{run.pk}/")
    page.get_by_role("heading", name="Par année", exact=True).wait_for()

    # The left edge and width of every header cell, table by table: the same in all five axis tables.
    columns = page.evaluate(
        """() => [...document.querySelectorAll('#par-annee ~ .bilan-table')].slice(0, 5).map(
             table => [...table.querySelectorAll('thead th')].map(th => {
               const box = th.getBoundingClientRect(); return [Math.round(box.left), Math.round(box.width)]; }))"""
    )
    assert len(columns) == 5 and len(columns[0]) == 2 + 5 + 1
    assert all(table == columns[0] for table in columns)
    indicator_width = columns[0][0][1]
    assert indicator_width >= 0.3 * page.viewport_size["width"] * 0.9  # about a third of the page, readable

    content_width = page.evaluate("() => document.querySelector('#graphiques').parentElement.clientWidth")
    charts = page.locator(".bilan-chart svg")
    expect(charts).to_have_count(4)
    for index in range(charts.count()):
        # Each text of a chart, legends included, ends inside its drawing.
        overflow = charts.nth(index).evaluate(
            """svg => { const right = svg.viewBox.baseVal.width;
               return [...svg.querySelectorAll('text')].filter(t => { const b = t.getBBox(); return b.x < 0 || b.x + b.width > right; })
                 .map(t => t.textContent); }"""
        )
        assert overflow == []
        assert charts.nth(index).bounding_box()["width"] >= 0.95 * content_width
    legend = page.locator(".bilan-chart text", has_text="Pensions de famille et résidences accueil")
    expect(legend).to_have_count(2)
