"""The test provider's pages: its own sign-in page (the product's would sign the browser in to the
product) and django-oauth-toolkit's consent page. Their answers redirect to the product, another origin:
the product's form-action 'self' would block them in the browser, so they carry no policy."""

from csp.decorators import csp_exempt
from django import forms
from django.contrib.auth import get_user_model, login
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from oauth2_provider import views as oauth2_views

from tests.oidc_provider.identities import IDENTITIES, PASSWORD


class ProviderLoginForm(forms.Form):
    email = forms.CharField(label="Adresse électronique professionnelle")
    password = forms.CharField(label="Mot de passe", widget=forms.PasswordInput)

    def clean(self):
        email = (self.cleaned_data.get("email") or "").strip().lower()
        for username, claims in IDENTITIES.items():
            if claims["email"].lower() == email and self.cleaned_data.get("password") == PASSWORD:
                self.user = get_user_model().objects.get(username=username)
                return self.cleaned_data
        raise forms.ValidationError("Adresse ou mot de passe inconnus du fournisseur d'identité.")


@csp_exempt()
def provider_login(request):
    form = ProviderLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user, backend="accounts.backends.PasswordBackend")
        next_url = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return redirect(next_url)
        return redirect("/")
    return render(request, "oidc_provider/login.html", {"form": form})


@method_decorator(csp_exempt(), name="dispatch")
class AuthorizationView(oauth2_views.AuthorizationView):
    template_name = "oidc_provider/authorize.html"
    login_url = "/fournisseur/connexion/"


@method_decorator(csp_exempt(), name="dispatch")
class LogoutView(oauth2_views.RPInitiatedLogoutView):
    pass
