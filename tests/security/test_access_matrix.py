"""Every URL of the application × every role × records in and out of scope × GET and an empty POST: the
answer roles.md expects (outside its scope a record does not exist: 404; in scope but read-only: 403;
signed out: to the sign-in page), never a 500, and no household name the role must not read.

Where roles.md is silent (decided for issue 8): a superuser is an operator and reads no household name
in the application (case files and coordination pages are refused, bilans are open); coordinators read
the bilans of the territories that meet their scope, never request nor publish one; administrators
request and publish the bilans of their territory and import and export; observers read the published
bilans of their territory only.

The table EXPECTED holds one entry per URL name: a URL added without an entry fails
test_every_url_has_an_expectation, naming it. The vocabulary is in expectations.py; the places, the
notifications, the ProConnect and the data-quality pages keep their entries in expected_places.py,
expected_notifications.py, expected_accounts_oidc.py and expected_quality.py, merged below."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security import (
    expected_accounts_oidc,
    expected_api_tokens,
    expected_notifications,
    expected_places,
    expected_quality,
)
from tests.security.conftest import send
from tests.security.expectations import (
    ADMIN_LOGIN,
    BILAN_ROLES,
    CASEWORK,
    COORDINATORS,
    EXCHANGE_ROLES,
    LOGIN,
    NAME_SCOPE,
    RUN_READERS,
    SIGNED_IN,
    Entry,
    bilan,
    by_role,
    case_file,
    casework_action,
    coordination_action,
    exports,
    figure_records,
    figures,
    households,
    invitations,
    job,
    jobs,
    measures,
    no_object,
    page_for,
    pathways,
    publish,
    reset_links,
    run_export,
    runs,
)
from tests.security.expected_queue_exports import queue_exports, requester_only
from tests.security.scenario import ROLES

EXPECTED: dict[str, Entry] = {
    # Home: caseworkers and coordinators go straight to their lists; the others get their links.
    "home": Entry(no_object, by_role({**dict.fromkeys(CASEWORK, 302), "*": 200})),
    "login": Entry(no_object, by_role({"*": 302}, anonymous=200)),
    # The accessibility statement, legal notice and personal-data page: read by anyone, signed in or not.
    "legal:accessibility": Entry(no_object, lambda role, obj, method: 200 if method == "GET" else 405),
    "legal:legal_notice": Entry(no_object, lambda role, obj, method: 200 if method == "GET" else 405),
    "legal:personal_data": Entry(no_object, lambda role, obj, method: 200 if method == "GET" else 405),
    # Signing out is a POST (Django 5); a GET is refused.
    "logout": Entry(no_object, lambda role, obj, method: 405 if method == "GET" else 302),
    # The second factor is off in the tests (SECOND_FACTOR_REQUIRED=False): its pages send the person on.
    "accounts:second_factor": Entry(no_object, by_role({"*": 302})),
    "accounts:second_factor_enrol": Entry(no_object, by_role({"*": 302})),
    # Shown once after enrolment, to the person signed in (without codes in the session: none).
    "accounts:recovery_codes": Entry(no_object, by_role({"*": 200})),
    # An invitation link works for whoever holds it (the token is the secret); an unknown one is a 404.
    "invitation_accept": Entry(invitations, lambda role, obj, method: 200 if obj == "valid" else frozenset({404, 410})),
    # Forgotten password: open to everyone; an unknown reset link shows its page saying so.
    "password_reset": Entry(no_object, lambda role, obj, method: 200),
    "password_reset_done": Entry(no_object, lambda role, obj, method: 200 if method == "GET" else 405),
    "password_reset_confirm": Entry(reset_links, lambda role, obj, method: 200),
    "password_reset_complete": Entry(no_object, lambda role, obj, method: 200 if method == "GET" else 405),
    # Casework: caseworkers and coordinators; a superuser reads no names (403).
    "casework:pathway_list": Entry(no_object, page_for(CASEWORK)),
    "casework:household_new": Entry(no_object, page_for(CASEWORK, post=200)),
    "casework:household_detail": Entry(households, case_file(get=200, post=200)),
    "casework:household_edit": Entry(households, case_file(get=200, post=200, names_needed=True)),
    "casework:record_stage": Entry(pathways, casework_action()),
    "casework:record_situation": Entry(pathways, casework_action()),
    "casework:record_contact": Entry(pathways, casework_action()),
    "casework:open_measure": Entry(pathways, casework_action()),
    "casework:close_measure": Entry(measures, casework_action()),
    # Commune names only: every signed-in person.
    "casework:commune_suggestions": Entry(no_object, page_for(SIGNED_IN)),
    # Coordination: coordinators only (a superuser reads no names).
    "queues:overview": Entry(no_object, page_for(COORDINATORS)),
    "queues:list": Entry(no_object, page_for(COORDINATORS)),
    "queues:export_xlsx": Entry(no_object, page_for(COORDINATORS)),
    "queues:export_csv": Entry(no_object, page_for(COORDINATORS)),
    # A background export: its requester's alone (tests/security/expected_queue_exports.py).
    "queues:export_job": Entry(queue_exports, requester_only),
    "queues:export_download": Entry(queue_exports, requester_only),
    "queues:stalled": Entry(no_object, page_for(COORDINATORS)),
    "queues:housed": Entry(no_object, page_for(COORDINATORS)),
    "queues:orient": Entry(pathways, coordination_action(get=200, post=200)),
    "queues:assign": Entry(pathways, coordination_action(get=200, post=200)),
    # An empty share form: back to the transfer page with the error.
    "queues:share": Entry(pathways, coordination_action(get=405, post=302)),
    "queues:bulk_assign": Entry(no_object, page_for(COORDINATORS, get=405, post=200)),
    # Posted from the queue without a decision yet: the selection page with the decision to take.
    "queues:bulk_orient": Entry(no_object, page_for(COORDINATORS, get=405, post=200)),
    "queues:bulk_caseworker": Entry(no_object, page_for(COORDINATORS, get=405, post=200)),
    "queues:bulk_remind": Entry(no_object, page_for(COORDINATORS, get=405, post=200)),
    # The transfer form's caseworker list of one structure (htmx): names of caseworkers, no case file.
    "queues:caseworker_choices": Entry(no_object, page_for(COORDINATORS, post=405)),
    # Bilans.
    "reports:run_list": Entry(no_object, page_for(BILAN_ROLES)),
    "reports:run_request": Entry(no_object, page_for(EXCHANGE_ROLES, post=200)),
    "reports:targets": Entry(no_object, page_for(EXCHANGE_ROLES, post=200)),
    "reports:run_detail": Entry(runs, bilan(readers=RUN_READERS)),
    "reports:run_status": Entry(runs, bilan(readers=RUN_READERS)),
    "reports:run_publish": Entry(runs, publish),
    "reports:figure_records": Entry(figures, figure_records),
    "reports:run_export": Entry(exports, run_export),
    # Exchange: administrators (their own imports) and the superuser.
    "exchange:job_list": Entry(no_object, page_for(EXCHANGE_ROLES)),
    "exchange:upload": Entry(no_object, page_for(EXCHANGE_ROLES, post=200)),
    "exchange:export": Entry(no_object, page_for(EXCHANGE_ROLES, post=200)),
    "exchange:job_detail": Entry(jobs, job),
    "exchange:job_status": Entry(jobs, job),
    "exchange:job_errors_csv": Entry(jobs, job),
    **expected_places.EXPECTED,
    **expected_notifications.EXPECTED,
    **expected_accounts_oidc.EXPECTED,
    **expected_api_tokens.EXPECTED,
    **expected_quality.EXPECTED,
}

# The Django admin, by a few representative pages: staff only (administrators and the superuser).
ADMIN_PAGES = ("admin:index", "admin:accounts_user_changelist", "admin:territories_structure_changelist")
STAFF = EXCHANGE_ROLES

# Content types whose body is text to scan for names (the PDF and XLSX files are compressed).
TEXT_TYPES = ("text/", "application/json")


def url_names(patterns=None, namespace="") -> list[str]:
    """Every URL name of the URL conf, with its namespaces; an unnamed pattern is listed by its route."""
    names = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name or f'<unnamed {pattern.pattern}>'}")
    return names


def application_url_names() -> list[str]:
    # The REST API answers tokens, not sessions: its own matrix is tests/api/test_access.py.
    return sorted({name for name in url_names() if not name.startswith(("admin:", "api:"))})


def visible_names(world, role: str) -> set[str]:
    return {name.lower() for key, case in world.cases.items() if role in NAME_SCOPE[key] for name in case.names}


def forbidden_names(world, role: str) -> set[str]:
    every = {name.lower() for case in world.cases.values() for name in case.names}
    return every - visible_names(world, role)


def check(response, expected, *, login_url: str) -> str | None:
    """What is wrong with the answer, or None."""
    status = response.status_code
    if expected in (LOGIN, ADMIN_LOGIN):
        if status != 302 or not response["Location"].startswith(login_url):
            return f"{status} {response.get('Location', '')}, expected a redirect to {login_url}"
        return None
    allowed = expected if isinstance(expected, frozenset | set) else {expected}
    if status not in allowed:
        return f"{status}, expected {'/'.join(str(code) for code in sorted(allowed))}"
    return None


def leaked_names(response, names: set[str]) -> list[str]:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith(TEXT_TYPES):
        return []
    body = response.streamed_body if response.streaming else response.content
    text = body.decode("utf-8", errors="replace").lower()
    return sorted(name for name in names if name in text)


def walk(world, clients, url_name: str, entry: Entry) -> tuple[int, dict[str, list[str]]]:
    """Try every cell of one URL; the number of cells and, per failing cell, what is wrong."""
    login_url = resolve_url(settings.LOGIN_URL)
    failures, cells = {}, 0
    for obj, args in entry.objects(world):
        url = reverse(url_name, args=args)
        for role in ROLES:
            for method in ("GET", "POST"):
                cells += 1
                where = f"{url_name} [{obj or '-'}] {role} {method}"
                expected = entry.expect(role, obj, method)
                problems = []
                try:
                    response = send(clients[role], method, url)
                except Exception as error:  # a 500: the cell fails, the walk goes on
                    problems.append(f"raised {type(error).__name__}: {error}")
                else:
                    if problem := check(response, expected, login_url=login_url):
                        problems.append(problem)
                    if leaked := leaked_names(response, forbidden_names(world, role)):
                        problems.append(f"shows names {', '.join(leaked)}")
                finally:
                    if url_name == "logout" and world.users[role] is not None:
                        clients[role].force_login(world.users[role])
                if problems:
                    failures[where] = problems
    return cells, failures


def report(failures: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {'; '.join(problems)}" for where, problems in failures.items())


def test_every_url_has_an_expectation():
    missing = [name for name in application_url_names() if name not in EXPECTED]
    assert not missing, f"URL without an entry in the access matrix (tests/security/test_access_matrix.py): {missing}"
    stale = sorted(set(EXPECTED) - set(application_url_names()))
    assert not stale, f"entries of the access matrix for URLs that no longer exist: {stale}"


AREAS = ("web", "casework", "queues", "reports", "exchange")


def area_of(url_name: str) -> str:
    namespace = url_name.partition(":")[0] if ":" in url_name else ""
    return namespace if namespace in AREAS else "web"


@pytest.fixture
def quick_pdf(monkeypatch):
    """Drawing a PDF takes a second and decides nothing about access (tests/reports test its content)."""
    from reports.views import runs as run_views

    monkeypatch.setitem(run_views.EXPORTS, "pdf", (lambda table: b"%PDF-1.4 stub", "application/pdf"))


@pytest.mark.parametrize("area", AREAS)
def test_access_matrix(world, clients, area, quick_pdf):
    names = [name for name in EXPECTED if area_of(name) == area]
    cells, failures = 0, {}
    for name in names:
        count, failed = walk(world, clients, name, EXPECTED[name])
        cells += count
        failures |= failed
    print(f"\naccess matrix, {area}: {cells} cells, {cells - len(failures)} pass")
    assert not failures, f"{len(failures)} of {cells} cells fail:\n{report(failures)}"


def test_the_admin_site_is_for_staff_only_and_shows_no_household(world, clients):
    admin_login = reverse("admin:login")
    failures, cells = {}, 0
    for url_name in ADMIN_PAGES:
        url = reverse(url_name)
        for role in ROLES:
            cells += 1
            response = send(clients[role], "GET", url)
            problems = []
            if problem := check(response, 200 if role in STAFF else ADMIN_LOGIN, login_url=admin_login):
                problems.append(problem)
            if leaked := leaked_names(response, forbidden_names(world, role)):
                problems.append(f"shows names {', '.join(leaked)}")
            if url_name == "admin:accounts_user_changelist":
                if foreign := foreign_accounts(role, response):
                    problems.append(f"lists accounts outside its territory: {', '.join(foreign)}")
                # The superuser's list holds every account: the check above reads names as the list shows them.
                if role == "superuser" and ">coord13<" not in response.content.decode():
                    problems.append("the list does not show user names as >username<: foreign_accounts sees nothing")
            if problems:
                failures[f"{url_name} {role} GET"] = problems
    print(f"\naccess matrix, admin: {cells} cells, {cells - len(failures)} pass")
    assert not failures, report(failures)


# The accounts of each région (an administrator manages those of its territory only, issue 8).
REGION_ACCOUNTS = {
    "administrator": ("admin11",),
    "administrator_other": ("admin93", "coord13", "coord06", "obs93"),
}


def foreign_accounts(role: str, response) -> list[str]:
    if response.status_code != 200 or role not in REGION_ACCOUNTS:
        return []
    text = response.content.decode()
    return [username for username in REGION_ACCOUNTS[role] if f">{username}<" in text]


def test_the_name_scan_reads_names_as_pages_show_them(world, clients):
    """Without this, a scan that never matches (names written in capitals, say) would pass every cell."""
    for role, key in (("caseworker_a", "a"), ("caseworker_a", "c"), ("coordinator", "b")):
        response = send(
            clients[role], "GET", reverse("casework:household_detail", args=[world.cases[key].household.pk])
        )
        every = {name.lower() for name in world.cases[key].names}
        assert leaked_names(response, every) == sorted(every), (role, key)
    response = send(clients["coordinator"], "GET", reverse("queues:list"))
    assert leaked_names(response, {n.lower() for n in world.cases["a"].names}), "the queue shows names"


def test_no_case_file_model_is_in_the_admin():
    """Households, members, pathways and their records are read only through the application, which
    scopes and logs every read (roles.md): the admin registers none of them."""
    registered = {f"{model._meta.app_label}.{model.__name__}" for model in admin.site._registry}
    case_files = {name for name in registered if name.startswith("pathways.")}
    assert not case_files, f"case-file models registered in the admin: {sorted(case_files)}"
