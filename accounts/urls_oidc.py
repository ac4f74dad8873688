"""ProConnect sign-in, under /connexion/proconnect/ (web/urls.py). The names mozilla-django-oidc needs are
set in project/settings.py (OIDC_AUTHENTICATION_CALLBACK_URL)."""

from django.urls import path

from accounts.views import oidc

app_name = "oidc"

urlpatterns = [
    path("", oidc.AuthenticateView.as_view(), name="authenticate"),
    path("retour/", oidc.CallbackView.as_view(), name="callback"),
    path("refus/", oidc.refused, name="refused"),
    path("deconnexion/", oidc.logout_callback, name="logout_callback"),
]
