from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses every sign-in while its name at its address, or its address, is locked (accounts/lockout.py).

    Every web sign-in passes its request (the sign-in page, the admin's), so none can go round the lock.
    Code that authenticates without a request (the test client's login(), a shell) has no address to count
    against: it is not counted, where axes would refuse it outright."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        if username is None and "nonce" in kwargs:
            # A ProConnect sign-in (accounts/oidc.py): no secret of ours is guessed, the identity provider
            # checked the password. Counted against its name, "", refused identities from one office would
            # lock everyone's ProConnect sign-in at its address.
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class PasswordBackend(ModelBackend):
    """Django's password sign-in, refused on an instance that signs in with ProConnect only
    (LOCAL_PASSWORDS_ENABLED, docs/connexion.md): the application's sign-in page and the admin's alike."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.LOCAL_PASSWORDS_ENABLED:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
