"""The second step of signing in: enter a code, enrol an authenticator app, read the recovery codes once
(accounts/second_factor.py)."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from accounts.forms import SecondFactorForm
from accounts.second_factor import (
    RECOVERY_CODE_COUNT,
    RECOVERY_CODES_SESSION_KEY,
    code_check,
    device_for_enrolment,
    device_secret,
    has_confirmed_device,
    recovery_codes_create,
    recovery_codes_left,
    second_factor_required,
    session_verified,
    session_verify,
)
from audit.decorators import no_names


def _next_url(request) -> str:
    url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _same_query(name: str, request) -> str:
    query = request.GET.urlencode()
    return f"{resolve_url(name)}?{query}" if query else resolve_url(name)


def _check(request, form, *, enrolling: bool = False):
    """Check the code of a valid form; the response to send, or None to show the form with its error."""
    outcome = code_check(request=request, user=request.user, code=form.cleaned_data["code"])
    if outcome.accepted:
        session_verify(request, outcome.device)
        if enrolling:
            # Shown once, on the next page: only their holder ever reads them.
            request.session[RECOVERY_CODES_SESSION_KEY] = recovery_codes_create(user=request.user)
            return redirect(_same_query("accounts:recovery_codes", request))
        if outcome.recovery:
            left = recovery_codes_left(request.user)
            messages.warning(
                request,
                f"Code de secours accepté : il ne servira plus. Il vous en reste {left}. Si vous avez perdu "
                "votre téléphone, demandez à un superutilisateur de réinitialiser votre second facteur.",
            )
        return redirect(_next_url(request))
    if outcome.locked:
        logout(request)
        messages.error(request, outcome.error)
        return redirect("login")
    form.add_error("code", outcome.error)
    return None


@login_required
@no_names(reason="the second factor")
def second_factor(request):
    if not second_factor_required(request.user, request) or session_verified(request):
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
@no_names(reason="the second factor")
def second_factor_enrol(request):
    if not second_factor_required(request.user, request) or session_verified(request):
        return redirect(_next_url(request))
    # Once an app is confirmed, only a superuser's reset in the admin lets another one in: someone who
    # only knows the password must not be able to enrol their own phone.
    if has_confirmed_device(request.user):
        return redirect(_same_query("accounts:second_factor", request))
    device = device_for_enrolment(user=request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (response := _check(request, form, enrolling=True)):
        return response
    qr_code = segno.make(device.config_url, error="m").svg_inline(
        scale=5, title="Code QR à scanner avec votre application"
    )
    secret = device_secret(device)
    context = {
        "form": form,
        "title": "Activer le second facteur",
        "nav_items": [],
        # segno writes the SVG from our own otpauth address, with nothing typed by the person.
        "qr_code": mark_safe(qr_code),
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "recovery_code_count": RECOVERY_CODE_COUNT,
    }
    return render(request, "registration/second_factor_enrol.html", context)


@login_required
@no_names(reason="the second factor")
def recovery_codes(request):
    """The recovery codes of a fresh enrolment, once: reloading the page shows them no more."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    context = {
        "title": "Vos codes de secours",
        "nav_items": [],
        "codes": [f"{code[:4]}-{code[4:]}" for code in codes or []],
        "next_url": _next_url(request),
    }
    return render(request, "accounts/recovery_codes.html", context)
