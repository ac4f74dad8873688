"""Logging is a property of the view: these tests walk the URL conf. A view that declares neither
`@audited` nor `@no_names` fails the first; a view whose answer shows a household member's name without
logging a read fails the second, whatever its declaration."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.decorators import declaration_of
from audit.enums import Action
from audit.models import AuditEvent
from reports.models import BilanFigure
from tests.audit.conftest import NAMES
from tests.notifications.helpers import item_for
from tests.places.walk import places_kwargs
from tests.security.expected_queue_exports import queue_export_kwargs

# The Django admin is the operators' site: no model with a name of a household is registered in it
# (test_the_admin_site_holds_no_case_file), and the log itself is readable by superusers only.
# The REST API logs its reads itself (api/views/base.py), tested by tests/api/test_audit.py.
NOT_WALKED_NAMESPACES = {"admin", "api"}
# The areas of case files: each of their URLs with parameters must be in KWARGS, so the walk opens it.
CASE_FILE_NAMESPACES = {"casework", "queues", "reports", "exchange"}
# Signing out would end the walk's session; Django's LogoutView is classified as showing no name.
NOT_REQUESTED = {"logout"}


def url_patterns(resolver=None, namespace=""):
    """(full name, route, view, parameter names) of every URL of the site."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from url_patterns(entry, inner or "")
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, str(entry.pattern), entry.callback, sorted(entry.pattern.converters)


def walked_patterns():
    return [p for p in url_patterns() if p[0] and p[0].split(":")[0] not in NOT_WALKED_NAMESPACES]


def test_every_view_declares_whether_it_shows_names():
    undeclared = [
        f"{name} ({route}): {view.__module__}.{view.__qualname__}"
        for name, route, view, _ in walked_patterns()
        if declaration_of(view) is None
    ]
    assert not undeclared, (
        "Declare these views @audited(...) if they show a case file, @no_names otherwise (audit/decorators.py): "
        + "; ".join(undeclared)
    )


def test_the_walk_sees_the_whole_site():
    names = {name for name, *_ in walked_patterns()}
    # A walk that lost an include would pass on nothing.
    assert {"casework:household_detail", "queues:list", "reports:figure_records", "exchange:job_errors_csv"} <= names
    assert all(declaration_of(view).audited for name, _, view, _ in walked_patterns() if name == "queues:list")


def test_the_admin_site_holds_no_case_file():
    labels = {model._meta.label for model in admin.site._registry}
    assert not {label for label in labels if label.startswith("pathways.")}, labels


def kwargs_table(w, job, run, figure) -> dict:
    pathway, household = {"pk": w.pathway.pk}, {"pk": w.household.pk}
    return {
        "casework:household_detail": household,
        "casework:household_edit": household,
        "casework:record_stage": pathway,
        "casework:record_situation": pathway,
        "casework:record_contact": pathway,
        "casework:open_measure": pathway,
        "casework:close_measure": {"pk": w.measure.pk},
        "queues:orient": pathway,
        "queues:assign": pathway,
        "queues:share": pathway,
        "exchange:job_detail": {"pk": job.pk},
        "exchange:job_status": {"pk": job.pk},
        "exchange:job_errors_csv": {"pk": job.pk},
        "reports:run_detail": {"pk": run.pk},
        "reports:run_status": {"pk": run.pk},
        "reports:run_publish": {"pk": run.pk},
        "reports:figure_records": {"pk": run.pk, "figure_pk": figure.pk},
        "reports:run_export": {"pk": run.pk, "fmt": "csv"},
        "notifications:open": {"pk": item_for(w.ana, w.pathway).pk},
        "notifications:clear": {"pk": item_for(w.ana, w.pathway, key="walk-clear").pk},
        **places_kwargs(w),
        **queue_export_kwargs(w),
    }


def shows_a_name(response) -> bool:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", errors="ignore").lower()
    return any(name.lower() in text for name in NAMES)


@pytest.mark.django_db
def test_every_answer_that_shows_a_name_is_logged(world, job, run):
    # A figure whose records are pathways of « Zorglub » households, for the drill-down.
    figure = BilanFigure.objects.filter(run=run, record_model="pathways.Pathway").exclude(record_ids=b"").first()
    table = kwargs_table(world, job, run, figure)
    urls = []
    for name, route, _view, params in walked_patterns():
        if name in NOT_REQUESTED:
            continue
        if params:
            if name not in table:
                assert name.split(":")[0] not in CASE_FILE_NAMESPACES, f"add {name} ({route}) to kwargs_table"
                continue
            urls.append((name, reverse(name, kwargs=table[name])))
        else:
            urls.append((name, reverse(name)))

    unlogged, seen = [], set()
    for user in (world.ana, world.coord, world.admin, world.root):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for name, url in urls:
            for method in ("get", "post"):
                last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
                response = getattr(client, method)(url, {})
                if response.status_code != 200 or not shows_a_name(response):
                    continue
                seen.add(name)
                reads = AuditEvent.objects.filter(id__gt=last_id, action__in=[Action.READ, Action.EXPORT], user=user)
                if not reads.exists():
                    unlogged.append(f"{method.upper()} {url} as {user.username}")
    assert not unlogged, "These answers show a name and log no read: " + "; ".join(unlogged)
    # The walk reached the pages that show names (a walk answered 404 everywhere would pass on nothing).
    # The orientation and transfer pages show the file by its reference: test_read_logging.py.
    assert {
        "casework:pathway_list",
        "casework:household_detail",
        "casework:household_edit",
        "casework:record_contact",
        "casework:close_measure",
        "queues:list",
        "queues:stalled",
        "exchange:job_detail",
        "exchange:job_errors_csv",
        "queues:export_download",
    } <= seen, seen
    # The places pages that show a household's name (tests/places/walk.py).
    assert {"places:matching", "places:proposal_answer", "places:place_detail", "places:proposal_list"} <= seen, seen
