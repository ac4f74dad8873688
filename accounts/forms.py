from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from accounts.lockout import lock_minutes_left, locked_message


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
