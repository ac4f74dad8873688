"""Every endpoint × every kind of token (structure A, structure B, territory 13, territory 06, expired,
revoked, none) → the expected answer, on records in and out of each scope (tests/security/scenario.py):
outside its scope a record does not exist (404), never another scope's record in a list, never a name
the token's role must not read. A token reads as the person of its scope (conftest.AS_PERSON)."""

import pytest
from django.db import transaction

from tests.api.conftest import AS_PERSON, TOKEN_KINDS
from tests.security.expectations import CASE_SCOPE, NAME_SCOPE, RUN_READERS

pytestmark = pytest.mark.django_db

REFUSED = {"expired": 401, "revoked": 401, "none": 401}
ALL_VALID = set(AS_PERSON)
TERRITORY_TOKENS = {"territory", "territory_other"}


def in_case_scope(kind: str, key: str) -> bool:
    return AS_PERSON[kind] in CASE_SCOPE[key]


def reads_names(kind: str, key: str) -> bool:
    return AS_PERSON[kind] in NAME_SCOPE[key]


def expect_case(*, ok: int, names_needed: bool = False):
    def expect(kind, key):
        if kind in REFUSED:
            return REFUSED[kind]
        if not in_case_scope(kind, key):
            return 404
        if names_needed and not reads_names(kind, key):
            return 403
        return ok

    return expect


def expect_list(kind, key):
    return REFUSED.get(kind, 200)


def expect_bilan(kind, key):
    if kind in REFUSED:
        return REFUSED[kind]
    if kind not in TERRITORY_TOKENS:
        return 403
    return 200 if AS_PERSON[kind] in RUN_READERS[key] else 404


def expect_bilan_list(kind, key):
    if kind in REFUSED:
        return REFUSED[kind]
    return 200 if kind in TERRITORY_TOKENS else 403


def expect_job(kind, key):
    if kind in REFUSED:
        return REFUSED[kind]
    # The jobs of the administrator who issued the token (admin93: "mine"), for a territory token.
    return 200 if kind in TERRITORY_TOKENS and key == "mine" else 404


def expect_public(kind, key):
    return 200


def record_url(segment: str):
    def url(world, key):
        return f"/api/v1/parcours/{world.cases[key].pathway.pk}/{segment}/"

    return url


# (method, URL maker(world, key) or None for no object, objects(world) -> keys, expectation, body)
ENDPOINTS = {
    "household-list": ("GET", lambda w, k: "/api/v1/menages/", lambda w: [None], expect_list, None),
    "household-detail": (
        "GET",
        lambda w, k: f"/api/v1/menages/{w.cases[k].household.pk}/",
        lambda w: list(w.cases),
        expect_case(ok=200),
        None,
    ),
    # An empty change with the current version: accepted (nothing changes) where the names are read.
    "household-update": (
        "PATCH",
        lambda w, k: f"/api/v1/menages/{w.cases[k].household.pk}/",
        lambda w: list(w.cases),
        expect_case(ok=200, names_needed=True),
        {},
    ),
    # An empty body: refused by validation (400) for every valid token.
    "household-create": (
        "POST",
        lambda w, k: "/api/v1/menages/",
        lambda w: [None],
        lambda kind, key: REFUSED.get(kind, 400),
        {},
    ),
    "pathway-list": ("GET", lambda w, k: "/api/v1/parcours/", lambda w: [None], expect_list, None),
    "pathway-detail": (
        "GET",
        lambda w, k: f"/api/v1/parcours/{w.cases[k].pathway.pk}/",
        lambda w: list(w.cases),
        expect_case(ok=200),
        None,
    ),
    **{
        f"pathway-{segment}": (
            "GET",
            record_url(segment),
            lambda w: list(w.cases),
            expect_case(ok=200),
            None,
        )
        for segment in ("etapes", "situations", "contacts", "mesures")
    },
    **{
        f"pathway-{segment}-post": (
            "POST",
            record_url(segment),
            lambda w: list(w.cases),
            expect_case(ok=400),
            {},
        )
        for segment in ("etapes", "situations", "contacts", "mesures")
    },
    "bilan-list": ("GET", lambda w, k: "/api/v1/bilans/", lambda w: [None], expect_bilan_list, None),
    "bilan-detail": ("GET", lambda w, k: f"/api/v1/bilans/{w.runs[k].pk}/", lambda w: list(w.runs), expect_bilan, None),
    "bilan-figures": (
        "GET",
        lambda w, k: f"/api/v1/bilans/{w.runs[k].pk}/chiffres/",
        lambda w: list(w.runs),
        expect_bilan,
        None,
    ),
    "import-list": ("GET", lambda w, k: "/api/v1/imports/", lambda w: [None], expect_list, None),
    "import-detail": ("GET", lambda w, k: f"/api/v1/imports/{w.jobs[k].pk}/", lambda w: list(w.jobs), expect_job, None),
    "schema": ("GET", lambda w, k: "/api/v1/schema/", lambda w: [None], expect_public, None),
    "docs": ("GET", lambda w, k: "/api/v1/docs/", lambda w: [None], expect_public, None),
}


def forbidden_names(world, kind: str) -> set[str]:
    every = {name.lower() for case in world.cases.values() for name in case.names}
    if kind not in AS_PERSON:
        return every
    seen = {name.lower() for key, case in world.cases.items() if reads_names(kind, key) for name in case.names}
    return every - seen


def out_of_scope_ids(world, kind: str, endpoint: str) -> set[int]:
    """Ids a list must never return for this token."""
    if kind not in AS_PERSON:
        return set()
    if endpoint == "household-list":
        return {c.household.pk for key, c in world.cases.items() if not in_case_scope(kind, key)}
    if endpoint == "pathway-list":
        return {c.pathway.pk for key, c in world.cases.items() if not in_case_scope(kind, key)}
    if endpoint == "bilan-list":
        return {run.pk for key, run in world.runs.items() if AS_PERSON[kind] not in RUN_READERS[key]}
    if endpoint == "import-list":
        return {world.jobs["other"].pk}
    return set()


def send(client, method, url, body, headers):
    with transaction.atomic():
        response = (
            getattr(client, method.lower())(url, body, format="json", **headers)
            if body is not None
            else (getattr(client, method.lower())(url, **headers))
        )
        transaction.set_rollback(True)
    return response


def test_every_endpoint_answers_every_token_as_expected(world, clients, settings):
    settings.API_THROTTLE_RATE = "100000/minute"
    settings.API_ANONYMOUS_THROTTLE_RATE = "100000/minute"
    failures, cells = [], 0
    for endpoint, (method, url_of, objects, expect, body) in ENDPOINTS.items():
        for key in objects(world):
            url = url_of(world, key)
            for kind in TOKEN_KINDS:
                cells += 1
                headers = {}
                if endpoint == "household-update":
                    headers["HTTP_IF_MATCH"] = f'"{world.cases[key].household.version}"'
                if endpoint.endswith("-post"):
                    headers["HTTP_IF_MATCH"] = f'"{world.cases[key].pathway.version}"'
                response = send(clients[kind], method, url, body, headers)
                where = f"{endpoint} [{key or '-'}] {kind} {method}"
                expected = expect(kind, key)
                if response.status_code != expected:
                    failures.append(f"{where}: {response.status_code}, expected {expected}: {response.content[:200]!r}")
                    continue
                text = response.content.decode("utf-8", errors="replace").lower()
                if response.status_code == 200 and endpoint not in ("schema", "docs"):
                    leaked = sorted(name for name in forbidden_names(world, kind) if name in text)
                    if leaked:
                        failures.append(f"{where}: shows names {leaked}")
                    if endpoint.endswith("-list"):
                        returned = {row["id"] for row in response.json()["results"]}
                        if foreign := returned & out_of_scope_ids(world, kind, endpoint):
                            failures.append(f"{where}: lists records out of its scope {sorted(foreign)}")
                        if not returned and endpoint in ("household-list", "pathway-list"):
                            failures.append(f"{where}: an empty list proves nothing")
    print(f"\nAPI access matrix: {cells} cells, {cells - len(failures)} pass")
    assert not failures, "\n".join(failures)


def test_the_name_scan_reads_names_as_the_api_shows_them(world, clients):
    """Without this, a scan that never matches would pass every cell."""
    response = clients["structure_a"].get(f"/api/v1/menages/{world.cases['c'].household.pk}/")
    text = response.content.decode().lower()
    assert all(name.lower() in text for name in world.cases["c"].names)
    hidden = clients["territory"].get(f"/api/v1/menages/{world.cases['c'].household.pk}/").json()
    assert hidden["names_hidden"] is True
    assert hidden["members"][0]["last_name"] is None
