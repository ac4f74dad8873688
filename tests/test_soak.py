"""The soak test's own logic (benchmarks/soak.py): what it reads from the pages and how it summarises."""

import random

from benchmarks.soak import HOUSEHOLD_LINK, Client, Results, percentile, server_times


def test_percentiles_of_latencies():
    values = [i / 100 for i in range(1, 101)]  # 0.01 ... 1.00

    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (0.51, 0.96, 1.0)
    assert percentile([], 0.95) == 0.0


def test_household_links_are_found_with_their_pathway_anchor():
    page = '<a href="/menages/100/#parcours-102">M-000100</a> <a href="/menages/nouveau/">Nouveau</a>'

    assert HOUSEHOLD_LINK.findall(page) == ["100"]


def test_the_next_stage_is_one_offered_that_needs_no_other_field():
    client = Client(0, "referent", 0, 0.0, Results())
    client.random = random.Random(1)
    page = (
        '<select name="etape7-stage" class="fr-select" required id="id_etape7-stage">'
        '<option value="">Choisir</option><option value="bail_signe">Bail</option>'
        '<option value="oriente">Orienté</option><option value="perdu_de_vue">Perdu</option>'
        '<option value="caleol">CALEOL</option></select>'
    )

    assert {client.next_stage(page, "etape7") for _ in range(20)} == {"caleol"}
    assert client.next_stage(page.replace("caleol", "bail_signe"), "etape7") == "perdu_de_vue"
    assert client.next_stage(page, "etape8") == ""


def test_errors_are_the_4xx_and_5xx_answers():
    results = Results()
    results.record("fiche ménage", 0.2, 200)
    results.record("écriture contact", 0.3, 302)
    results.record("fiche ménage", 0.1, 500, "/menages/1/")

    assert results.errors == ["fiche ménage 500 /menages/1/"]
    assert len(results.latencies["fiche ménage"]) == 2


def test_server_times_are_read_from_the_access_log_by_kind(tmp_path):
    log = tmp_path / "access.log"
    log.write_text(
        "GET /menages/12/ 200 250000\n"
        "POST /parcours/7/contact/ 302 120000\n"
        "GET /connexion/ 200 90000\n"
        "GET /menages/13/ 200 150000\n"
        "une ligne illisible\n"
    )

    assert server_times(log) == {"fiche ménage": [0.25, 0.15], "écriture contact": [0.12]}
