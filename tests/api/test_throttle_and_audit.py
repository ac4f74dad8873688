"""Throttling per token, and the audit log of every read (a list logs the ids it returned) and refusal."""

import pytest

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_each_token_has_its_own_limit(small, settings):
    settings.API_THROTTLE_RATE = "3/minute"
    first, second = small.clients["structure_a"], small.clients["structure_b"]
    assert [first.get("/api/v1/parcours/").status_code for _ in range(3)] == [200, 200, 200]
    limited = first.get("/api/v1/parcours/")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    # Another token is not slowed by the first one's requests.
    assert second.get("/api/v1/parcours/").status_code == 200


def test_requests_without_a_token_are_limited_by_address(small, settings):
    from rest_framework.test import APIClient

    settings.API_ANONYMOUS_THROTTLE_RATE = "2/minute"
    client = APIClient()
    assert [client.get("/api/v1/schema/").status_code for _ in range(2)] == [200, 200]
    assert client.get("/api/v1/schema/").status_code == 429


def test_a_list_read_logs_the_ids_it_returned_with_the_token_as_actor(small):
    token = small.rows["structure_a"]
    response = small.clients["structure_a"].get("/api/v1/parcours/")
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == sorted([small.pathways["a"].pk, small.pathways["c"].pk])
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.target, event.object_ids) == ("read", "pathway", ids)
    assert event.user_id == token.actor_id and event.username == f"api-{token.prefix}"
    assert event.detail == "API GET /api/v1/parcours/"


def test_a_household_read_logs_its_household(small):
    household = small.pathways["b"].household
    small.clients["territory"].get(f"/api/v1/menages/{household.pk}/")
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.target, event.target_id, event.household_id) == (
        "read",
        "household",
        household.pk,
        household.pk,
    )


def test_a_record_out_of_scope_is_a_logged_404(small):
    pathway = small.pathways["b"]
    response = small.clients["structure_a"].get(f"/api/v1/parcours/{pathway.pk}/etapes/")
    assert response.status_code == 404
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.target, event.target_id) == ("not_found", "pathway", pathway.pk)
    assert event.user_id == small.rows["structure_a"].actor_id


def test_a_write_is_logged_by_its_service_as_the_token(small):
    pathway = small.pathways["a"]
    before = AuditEvent.objects.count()
    response = small.clients["structure_a"].post(
        f"/api/v1/parcours/{pathway.pk}/contacts/",
        {"date": "2020-06-02", "kind": "telephone"},
        format="json",
        HTTP_IF_MATCH=f'"{pathway.version}"',
    )
    assert response.status_code == 201
    change = AuditEvent.objects.filter(pk__gt=before, action="update", target="pathway").get()
    assert change.user_id == small.rows["structure_a"].actor_id
    assert change.changes["kind"] == [None, "telephone"]


def test_bilan_figures_of_a_published_run_are_under_statistical_secrecy(small):
    """A published bilan gives « hidden » cells without their value, and only aggregates."""
    import datetime

    from reports.enums import PeriodKind
    from reports.services import bilan_run_execute, bilan_run_publish, bilan_run_request
    from territories.territory import parse_territory

    admin = small.users["administrator"]
    run = bilan_run_request(
        territory=parse_territory("departement:13"),
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2020, 12, 31),
        by=admin,
        period_kind=PeriodKind.YEAR,
    )
    run = bilan_run_publish(run=bilan_run_execute(run_id=run.pk), by=admin)
    figures = small.clients["territory"].get(f"/api/v1/bilans/{run.pk}/chiffres/").json()
    hidden = [row for row in figures if row["hidden"]]
    assert hidden, "a bilan of three households has small counts to hide"
    assert all(row["value"] is None and row["note"] for row in hidden)
    assert all(
        set(row) == {"indicator", "label", "unit", "axis", "scope", "year", "territory", "value", "hidden", "note"}
        for row in figures
    )
    assert small.clients["structure_a"].get(f"/api/v1/bilans/{run.pk}/chiffres/").status_code == 403


def test_list_queries_do_not_grow_with_the_rows(small, django_assert_max_num_queries):
    """Three households and pathways of the 13 (one confidential). Households, 8: the token's row, its
    account, its territory (parse_territory), the page, its members and pathways (two prefetches), the
    confidential household's referent structures (one per confidential household: can_see_names), the
    audit event. Pathways, 5: the token, its account, its territory, the page, the audit event."""
    client = small.clients["territory"]
    client.get("/api/v1/menages/")  # last_used_at written once a minute: not in the count below
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/menages/").json()["results"]) == 3
    with django_assert_max_num_queries(5):
        assert len(client.get("/api/v1/parcours/").json()["results"]) == 3
