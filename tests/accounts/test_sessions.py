import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import REFRESHED_SESSION_KEY
from tests.accounts.factories import UserFactory


def test_a_session_expires_after_30_minutes_idle_and_each_request_extends_it(client, db):
    assert settings.SESSION_COOKIE_AGE == 1800
    assert "accounts.middleware.SlidingSessionMiddleware" in settings.MIDDLEWARE
    client.force_login(UserFactory(caseworker=True))
    session = Session.objects.get()

    # 29 minutes idle: still signed in, and the request pushes the expiry 30 minutes ahead again.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    before = timezone.now()
    response = client.get(reverse("home"))
    assert response.wsgi_request.user.is_authenticated
    assert not response.get("Location", "").startswith(reverse("login"))
    expire_date = Session.objects.get(pk=session.pk).expire_date
    assert before + datetime.timedelta(minutes=29, seconds=55) <= expire_date
    assert expire_date <= timezone.now() + datetime.timedelta(minutes=30)

    # 30 minutes idle: the session is gone, back to the sign-in page.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert not response.wsgi_request.user.is_authenticated
    assert response["Location"] == f"{reverse('login')}?next=/"


def refreshed_at(client) -> int:
    return client.session[REFRESHED_SESSION_KEY]


def test_the_expiry_is_pushed_ahead_once_a_minute_at_most_not_on_every_request(client, db):
    client.force_login(UserFactory(caseworker=True))
    client.get(reverse("home"))
    session = Session.objects.get()
    first = session.expire_date

    # A second request within the minute writes nothing: neither the expiry nor the session row.
    Session.objects.filter(pk=session.pk).update(expire_date=first - datetime.timedelta(minutes=5))
    client.get(reverse("home"))
    assert Session.objects.get(pk=session.pk).expire_date == first - datetime.timedelta(minutes=5)

    # Once the last save is more than a minute old, the next request saves it, 30 minutes ahead again.
    stored = client.session
    stored[REFRESHED_SESSION_KEY] = refreshed_at(client) - 61
    stored.save()
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + datetime.timedelta(minutes=2))
    before = timezone.now()
    response = client.get(reverse("home"))
    assert response.wsgi_request.user.is_authenticated
    expire_date = Session.objects.get(pk=session.pk).expire_date
    assert (
        before + datetime.timedelta(minutes=29, seconds=55)
        <= expire_date
        <= timezone.now() + datetime.timedelta(minutes=30)
    )
