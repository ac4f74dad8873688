"""The sign-in and sign-out pages, with ProConnect beside the password (accounts/oidc.py, docs/connexion.md).

mozilla-django-oidc's views start the sign-in and take the provider's answer; these subclasses add the
French refusal page, the product's switches (PROCONNECT_ENABLED, LOCAL_PASSWORDS_ENABLED) and the
ProConnect end-session at sign-out."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts import oidc
from accounts.forms import LoginForm
from accounts.lockout import client_ip
from audit.decorators import no_names
from audit.enums import Action, Target
from audit.services import audit_record

REFUSAL_SESSION_KEY = "proconnect_refusal"
PASSWORDS_DISABLED_MESSAGE = (
    "La connexion par mot de passe est désactivée sur cette instance de Parcours : utilisez le bouton "
    "« S'identifier avec ProConnect »."
)
SIGNED_OUT_MESSAGE = "Vous êtes déconnecté de Parcours et de ProConnect."


@no_names(reason="the sign-in page")
class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": "Connexion"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Read on each request: the settings are the environment's, and the tests change them.
        context["proconnect_enabled"] = settings.PROCONNECT_ENABLED
        context["local_passwords_enabled"] = settings.LOCAL_PASSWORDS_ENABLED
        context["passwords_disabled_message"] = ""
        return context

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_PASSWORDS_ENABLED:
            # The password backend refuses it anyway (accounts/backends.py); say why instead of "wrong password".
            context = self.get_context_data(form=self.get_form_class()(request))
            context["passwords_disabled_message"] = PASSWORDS_DISABLED_MESSAGE
            return self.render_to_response(context)
        return super().post(request, *args, **kwargs)


@no_names(reason="signing out")
class LogoutView(auth_views.LogoutView):
    """Django's sign-out; a ProConnect session is then ended at ProConnect too (its end_session_endpoint,
    in the browser, as ProConnect asks), which sends the person back to `logout_callback`."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(oidc.ID_TOKEN_SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        if id_token and settings.PROCONNECT_ENABLED and settings.PROCONNECT_END_SESSION_ENDPOINT:
            return HttpResponseRedirect(oidc.end_session_url(request, id_token))
        return response


@no_names(reason="starts a ProConnect sign-in")
class AuthenticateView(OIDCAuthenticationRequestView):
    def get(self, request):
        if not settings.PROCONNECT_ENABLED:
            raise Http404("ProConnect n'est pas activé sur cette instance.")
        return super().get(request)

    def get_extra_params(self, request):
        return oidc.auth_request_extra_params()


@no_names(reason="ProConnect's answer: signs in, or refuses")
class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        if not settings.PROCONNECT_ENABLED:
            raise Http404("ProConnect n'est pas activé sur cette instance.")
        if request.GET.get("error"):
            # Cancelled or refused at the provider: mozilla-django-oidc authenticates nothing, so no
            # failed sign-in is logged unless we do.
            oidc.refuse(request, oidc.Refusal(oidc.CANCELLED))
            audit_record(
                user=None,
                action=Action.SIGN_IN_FAILED,
                target=Target.SESSION,
                detail=request.oidc_refusal.detail,
                ip_address=client_ip(request),
            )
        try:
            return super().get(request)
        except SuspiciousOperation:
            # A state this session never sent (a replayed or forged answer, a second tab): refused.
            oidc.refuse(request, oidc.Refusal(oidc.PROVIDER_ERROR))
            return self.login_failure()

    def login_success(self):
        # auth.login flushes the session of another account signed in before: keep the id_token across.
        id_token = self.request.session.get(oidc.ID_TOKEN_SESSION_KEY)
        response = super().login_success()
        if id_token:
            self.request.session[oidc.ID_TOKEN_SESSION_KEY] = id_token
        return response

    def login_failure(self):
        refusal = getattr(self.request, "oidc_refusal", None) or oidc.Refusal(oidc.PROVIDER_ERROR)
        self.request.session[REFUSAL_SESSION_KEY] = {"reason": refusal.reason, "email": refusal.email}
        return redirect("oidc:refused")


REFUSAL_TITLES = {
    oidc.UNKNOWN: "Aucun compte Parcours pour cette identité",
    oidc.INACTIVE: "Compte désactivé",
    oidc.OTHER_IDENTITY: "Compte relié à une autre identité ProConnect",
    oidc.NO_EMAIL: "Adresse électronique manquante",
    oidc.CANCELLED: "Connexion annulée",
    oidc.PROVIDER_ERROR: "La connexion avec ProConnect n'a pas abouti",
    oidc.DISABLED: "ProConnect n'est pas activé",
}


@require_GET
@no_names(reason="the refused ProConnect sign-in page: the person's own address at most")
def refused(request):
    """Why ProConnect did not sign the person in, once (the reason is taken from the session)."""
    refusal = request.session.pop(REFUSAL_SESSION_KEY, None) or {"reason": oidc.PROVIDER_ERROR, "email": ""}
    reason = refusal.get("reason") if refusal.get("reason") in REFUSAL_TITLES else oidc.PROVIDER_ERROR
    context = {
        "title": REFUSAL_TITLES[reason],
        "reason": reason,
        "email": refusal.get("email") or "",
        "nav_items": [],
        "login_url": reverse("login"),
        "local_passwords_enabled": settings.LOCAL_PASSWORDS_ENABLED,
    }
    return render(request, "accounts/proconnect_refused.html", context)


@require_GET
@no_names(reason="back from ProConnect's sign-out")
def logout_callback(request):
    """ProConnect's post_logout_redirect_uri: the session here is already ended; the state says that this
    browser asked for the sign-out."""
    expected = request.session.pop(oidc.LOGOUT_STATE_SESSION_KEY, None)
    if expected and request.GET.get("state") == expected:
        messages.success(request, SIGNED_OUT_MESSAGE)
    return redirect("login")
