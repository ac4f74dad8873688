"""The « À traiter » page, its count in the header, opening and clearing an item, the preferences.

These pages show references (P-000123, M-000045) and links, never a household's name: @no_names. Each
person reads only their own items, and those about a pathway only while they still see it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from audit.decorators import no_names
from notifications.enums import Kind
from notifications.forms import PreferencesForm
from notifications.models import Notification
from notifications.services import (
    kinds_for,
    notification_clear,
    notification_open,
    preferences_of,
    preferences_set,
)

KIND_LABELS = dict(Kind.choices)
# Per group; the page says how many more there are.
PER_KIND = 50


@login_required
@require_GET
@no_names(reason="references and links to one's own items, no name")
def todo_list(request):
    waiting = Notification.objects.for_user(request.user).waiting()
    counts = dict(waiting.values_list("kind").annotate(n=Count("pk")).order_by())
    items = {}
    for kind in Kind.values:
        if counts.get(kind):
            items[kind] = list(waiting.filter(kind=kind).order_by("-created_at", "-id")[:PER_KIND])
    groups = [
        {
            "kind": kind,
            "label": KIND_LABELS[kind],
            "items": rows,
            "count": counts[kind],
            "more": counts[kind] - len(rows),
        }
        for kind, rows in items.items()
    ]
    return render(
        request,
        "notifications/list.html",
        {"title": "À traiter", "groups": groups, "total": sum(counts.values()), "kinds": kinds_for(request.user)},
    )


@login_required
@require_GET
@no_names(reason="a number")
def todo_count(request):
    """The header's badge, loaded by htmx once the page is shown: one indexed count, and none on the
    page itself."""
    count = Notification.objects.filter(recipient=request.user).waiting().count()
    return render(request, "notifications/_count.html", {"count": count})


def _own(request, pk) -> Notification:
    # Someone else's item does not exist for this person.
    return get_object_or_404(Notification.objects.filter(recipient=request.user), pk=pk)


@login_required
@require_GET
@no_names(reason="a redirect to the item's page, which logs its own reads")
def todo_open(request, pk):
    notification = _own(request, pk)
    return redirect(notification_open(notification=notification, by=request.user))


@login_required
@require_POST
@no_names(reason="clears one's own item")
def todo_clear(request, pk):
    notification = _own(request, pk)
    if notification.cleared_at is None:
        notification_clear(notification=notification, by=request.user)
        messages.success(request, f"« {notification.reference} » est marqué comme traité.")
    if request.headers.get("HX-Request"):
        return HttpResponse("")
    return redirect("notifications:list")


@login_required
@no_names(reason="one's own email preferences")
def preferences(request):
    current = preferences_of(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, preferences=current)
        if form.is_valid():
            preferences_set(user=request.user, choices=form.choices())
            messages.success(request, "Vos préférences sont enregistrées.")
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(preferences=current)
    return render(
        request,
        "notifications/preferences.html",
        {"title": "Préférences de notification", "form": form, "has_email": bool(request.user.email)},
    )
