"""/compte/jetons-api/ (web/urls.py): the administrators' pages of API tokens."""

from django.urls import path

from api.views import pages

app_name = "api_tokens"

urlpatterns = [
    path("", pages.token_list, name="list"),
    path("<int:pk>/revoquer/", pages.token_revoke, name="revoke"),
]
