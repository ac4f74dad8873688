"""The second step of signing in: enter a code, or enrol an authenticator app (accounts/second_factor.py)."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from accounts import totp
from accounts.forms import SecondFactorForm
from accounts.second_factor import (
    code_check,
    device_for_enrolment,
    has_confirmed_device,
    second_factor_required,
    session_verified,
    session_verify,
)


def _next_url(request) -> str:
    url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _same_query(name: str, request) -> str:
    query = request.GET.urlencode()
    return f"{resolve_url(name)}?{query}" if query else resolve_url(name)


def _check(request, form):
    """Check the code of a valid form; the response to send, or None to show the form with its error."""
    outcome = code_check(user=request.user, code=form.cleaned_data["code"])
    if outcome.accepted:
        session_verify(request)
        return redirect(_next_url(request))
    if outcome.locked:
        logout(request)
        messages.error(request, outcome.error)
        return redirect("login")
    form.add_error("code", outcome.error)
    return None


@login_required
def second_factor(request):
    if not second_factor_required(request.user) or session_verified(request):
        return redirect(_next_url(request))
    if not has_confirmed_device(request.user):
        return redirect(_same_query("accounts:second_factor_enrol", request))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (response := _check(request, form)):
        return response
    # No menu: its pages would only send the person back here.
    context = {"form": form, "title": "Second facteur", "nav_items": []}
    return render(request, "registration/second_factor.html", context)


@login_required
def second_factor_enrol(request):
    if not second_factor_required(request.user) or session_verified(request):
        return redirect(_next_url(request))
    # Once an app is confirmed, only a superuser's reset in the admin lets another one in: someone who
    # only knows the password must not be able to enrol their own phone.
    if has_confirmed_device(request.user):
        return redirect(_same_query("accounts:second_factor", request))
    device = device_for_enrolment(user=request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (response := _check(request, form)):
        return response
    uri = totp.provisioning_uri(device.secret, request.user.username)
    qr_code = segno.make(uri, error="m").svg_inline(scale=5, title="Code QR à scanner avec votre application")
    context = {
        "form": form,
        "title": "Activer le second facteur",
        "nav_items": [],
        # segno writes the SVG from our own otpauth address, with nothing typed by the person.
        "qr_code": mark_safe(qr_code),
        "secret_groups": " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4)),
    }
    return render(request, "registration/second_factor_enrol.html", context)
