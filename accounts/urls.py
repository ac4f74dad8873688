"""The second-factor pages, under /connexion/second-facteur/ (web/urls.py)."""

from django.urls import path

from accounts.views import second_factor

app_name = "accounts"

urlpatterns = [
    path("", second_factor.second_factor, name="second_factor"),
    path("activer/", second_factor.second_factor_enrol, name="second_factor_enrol"),
    path("codes-de-secours/", second_factor.recovery_codes, name="recovery_codes"),
]
