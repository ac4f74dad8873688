"""Forgotten password: Django's reset views with our pages; the link goes to the account's own email."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from accounts.lockout import client_ip
from accounts.services import account_audit
from audit.decorators import no_names
from audit.enums import Action

CONTEXT = {"nav_items": []}


@no_names(reason="password reset")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")
    title = "Mot de passe oublié"
    extra_context = CONTEXT


@no_names(reason="password reset")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"
    title = "Message envoyé"
    extra_context = CONTEXT


@no_names(reason="password reset")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    title = "Nouveau mot de passe"
    extra_context = CONTEXT

    def form_valid(self, form):
        response = super().form_valid(form)
        account_audit(
            by=form.user,
            user=form.user,
            action=Action.UPDATE,
            detail="mot de passe réinitialisé",
            ip_address=client_ip(self.request),
        )
        return response


@no_names(reason="password reset")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
    title = "Mot de passe enregistré"
    extra_context = CONTEXT
