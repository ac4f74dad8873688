"""The page of an invitation link: its holder chooses the account's password (accounts/invitations.py)."""

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts.invitations import invitation_accept, invitation_find
from accounts.lockout import client_ip
from audit.decorators import no_names


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@no_names(reason="the invitation's password form")
def accept(request, token):
    lookup = invitation_find(token)
    context = {"title": "Choisir votre mot de passe", "nav_items": [], "error": lookup.error, "form": None}
    if lookup.invitation is None:
        return render(request, "accounts/invitation.html", context, status=410 if lookup.error else 404)
    user = lookup.invitation.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_accept(
                invitation=lookup.invitation, password=form.cleaned_data["new_password1"], ip_address=client_ip(request)
            )
        except ValueError as error:
            context["error"] = str(error)
            return render(request, "accounts/invitation.html", context, status=410)
        messages.success(request, "Votre mot de passe est enregistré : connectez-vous avec votre identifiant.")
        return redirect("login")
    context.update({"form": form, "account": user})
    return render(request, "accounts/invitation.html", context)
