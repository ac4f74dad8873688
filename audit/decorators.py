"""Logging reads is a property of the view: every view of the application declares whether it shows
case files (`@audited`) or not (`@no_names`), and a test walks the URL conf to refuse a view that
declares neither (tests/audit/test_read_logging_walk.py).

An `@audited` view logs one event for every response it answers 200 with, whatever the method (a POST
re-shown with its errors shows the file as much as a GET), and one DENIED or NOT_FOUND event when it
refuses the request (403, 404), with the id taken from the URL. The view tells what its response showed
with `audit_shown` (the household, the ids of the pathways a list or an export showed), or that this
response shows nothing of a file with `audit_nothing_shown` (an empty form)."""

from dataclasses import dataclass, field
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.lockout import client_ip
from audit.enums import Action
from audit.services import audit_record

DECLARATION = "audit_declaration"


@dataclass(frozen=True)
class Declaration:
    audited: bool
    target: str = ""
    action: str = Action.READ
    id_kwarg: str | None = None
    reason: str = ""


@dataclass
class Shown:
    """What one response showed; filled by the view through `audit_shown`."""

    target: str | None = None
    target_id: int | None = None
    household_id: int | None = None
    object_ids: list = field(default_factory=list)
    detail: str = ""
    nothing: bool = False


def audited(target: str, *, action: str = Action.READ, id_kwarg: str | None = "pk"):
    """Declare a view that shows case files. `target` and the URL keyword `id_kwarg` name what a
    refusal (403, 404) was about, and what a read was about unless the view says otherwise."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.audit_shown = Shown()
            url_id = kwargs.get(id_kwarg) if id_kwarg else None
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                _record_refusal(request, Action.NOT_FOUND, target, url_id)
                raise
            except PermissionDenied:
                _record_refusal(request, Action.DENIED, target, url_id)
                raise
            shown = request.audit_shown
            # Redirects and refusals answered as a response (400) show no file.
            if response.status_code == 200 and not shown.nothing:
                audit_record(
                    user=request.user,
                    action=action,
                    target=shown.target or target,
                    target_id=shown.target_id if shown.target_id is not None else url_id,
                    household_id=shown.household_id,
                    object_ids=shown.object_ids,
                    detail=shown.detail,
                    ip_address=client_ip(request),
                )
            return response

        setattr(wrapper, DECLARATION, Declaration(audited=True, target=target, action=action, id_kwarg=id_kwarg))
        return wrapper

    return decorator


def no_names(view=None, *, reason: str = ""):
    """Declare a view that shows no case file (counts, reference data, its own forms): nothing logged.
    Usable bare (`@no_names`) or with the reason (`@no_names(reason="aggregates only")`), on a view
    function or on a class-based view."""

    def decorator(view):
        # Set on the view itself: functools.wraps in the decorators above it carries it outwards.
        setattr(view, DECLARATION, Declaration(audited=False, reason=reason))
        return view

    return decorator(view) if view is not None else decorator


def audit_shown(
    request,
    *,
    target: str | None = None,
    target_id: int | None = None,
    household_id: int | None = None,
    object_ids=None,
    detail: str | None = None,
) -> None:
    """Say what the response shows: the household of a page, the pathway ids of a list."""
    shown = _shown(request)
    shown.nothing = False
    if target is not None:
        shown.target = target
    if target_id is not None:
        shown.target_id = target_id
    if household_id is not None:
        shown.household_id = household_id
    if object_ids is not None:
        shown.object_ids = list(object_ids)
    if detail is not None:
        shown.detail = detail


def audit_nothing_shown(request) -> None:
    """This response of an audited view shows no file (an empty form): no read is logged."""
    _shown(request).nothing = True


def _shown(request) -> Shown:
    shown = getattr(request, "audit_shown", None)
    if shown is None:
        # A page that shows a file from a view that does not log its reads is the hole this module
        # closes: fail loudly rather than show it unlogged.
        raise RuntimeError("audit_shown called from a view not declared @audited")
    return shown


def _record_refusal(request, action: str, target: str, url_id) -> None:
    if not getattr(request.user, "is_authenticated", False):
        return
    audit_record(
        user=request.user,
        action=action,
        target=target,
        target_id=url_id,
        detail=request.path,
        ip_address=client_ip(request),
    )


def declaration_of(callback) -> Declaration | None:
    """The view's declaration (on the function, or on the class of a class-based view); Django's own
    sign-in and sign-out pages, used as they are, show no case file."""
    declared = getattr(callback, DECLARATION, None)
    view_class = getattr(callback, "view_class", None)
    if declared is None and view_class is not None:
        declared = getattr(view_class, DECLARATION, None)
    if declared is not None:
        return declared
    if view_class is not None and view_class.__module__ == "django.contrib.auth.views":
        return Declaration(audited=False, reason="Django's sign-in and password pages")
    return None
