from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from accounts.lockout import lock_minutes_left, login_failure_record, login_success_record


class LockoutModelBackend(ModelBackend):
    """The usual user name and password check, refused while the name is locked after repeated failures.

    Every sign-in goes through here (the sign-in page, the admin, test clients), so the lock cannot be
    bypassed by choosing another door; the forms of accounts/forms.py turn it into a French message."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        if lock_minutes_left(username):
            # PermissionDenied stops Django from trying any other backend.
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username=username)
        else:
            login_success_record(username=username)
        return user
