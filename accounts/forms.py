from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from accounts import totp
from accounts.lockout import lock_minutes_left, locked_message
from accounts.second_factor import FORMAT_MESSAGE


class LockedMessageMixin:
    """Say that the account is locked, and for how long, instead of the generic refusal."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            minutes = lock_minutes_left(self.cleaned_data.get("username") or "")
            if minutes:
                raise forms.ValidationError(locked_message(minutes), code="locked") from None
            raise


class LoginForm(LockedMessageMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockedMessageMixin, AdminAuthenticationForm):
    pass


class SecondFactorForm(forms.Form):
    code = forms.CharField(label="Code à 6 chiffres", max_length=20, error_messages={"required": FORMAT_MESSAGE})

    def clean_code(self):
        # Apps show the code as "123 456": spaces are welcome, anything else is a typing error (not a guess).
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != totp.DIGITS or not (code.isascii() and code.isdigit()):
            raise forms.ValidationError(FORMAT_MESSAGE, code="format")
        return code
