from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from accounts.lockout import lock_minutes_left, locked_message
from accounts.second_factor import FORMAT_MESSAGE, device_lock_minutes_left, normalised_code


class LockedMessageMixin:
    """Say that the account is locked, and for how long, instead of the generic refusal; a right password
    is refused too while wrong second-factor codes keep the account locked."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            minutes = lock_minutes_left(self.request, self.cleaned_data.get("username") or "")
            if minutes:
                raise forms.ValidationError(locked_message(minutes), code="locked") from None
            raise

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        minutes = device_lock_minutes_left(user)
        if minutes:
            raise forms.ValidationError(locked_message(minutes), code="locked")


# The sign-in pages call the field "Identifiant": the refusal uses the same word (Django's says "nom
# d'utilisateur", the model field's verbose name).
INVALID_LOGIN = "Identifiant ou mot de passe incorrect. Vérifiez les majuscules et les minuscules."


class LoginForm(LockedMessageMixin, AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"


class AdminLoginForm(LockedMessageMixin, AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": INVALID_LOGIN + " Seuls les comptes autorisés à l'administration y accèdent.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres ou code de secours", max_length=20, error_messages={"required": FORMAT_MESSAGE}
    )

    def clean_code(self):
        code = normalised_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(FORMAT_MESSAGE, code="format")
        return code
