"""Invitations and forgotten passwords, under /compte/ (web/urls.py). Not namespaced: Django's password
reset views reverse these names."""

from django.urls import path

from accounts.views import invitations, password

urlpatterns = [
    path("invitation/<str:token>/", invitations.accept, name="invitation_accept"),
    path("mot-de-passe-oublie/", password.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe-oublie/envoye/", password.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("mot-de-passe/<uidb64>/<token>/", password.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("mot-de-passe/enregistre/", password.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
