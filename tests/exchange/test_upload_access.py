"""Who may use the import and export pages, and what the job list costs."""

import pytest
from django.urls import reverse

from pathways.enums import ImportStatus
from pathways.models import ImportJob
from tests.accounts.factories import UserFactory
from tests.territories.factories import StructureFactory

pytestmark = pytest.mark.django_db


def make_job(user, name="echange.zip", **fields) -> ImportJob:
    return ImportJob.objects.create(uploaded_by=user, file_name=name, file_size=3, content=b"abc", **fields)


def urls(job) -> list[str]:
    return [
        reverse("exchange:job_list"),
        reverse("exchange:upload"),
        reverse("exchange:export"),
        reverse("exchange:job_detail", args=[job.pk]),
        reverse("exchange:job_status", args=[job.pk]),
        reverse("exchange:job_errors_csv", args=[job.pk]),
    ]


@pytest.fixture
def failed_job(geo):
    owner = UserFactory(username="dreets", administrator=True)
    errors = [{"file": "sites.csv", "line": 2, "column": "places", "message": "Nombre entier attendu : « dix »."}]
    return make_job(owner, status=ImportStatus.FAILED, errors=errors)


def test_signed_out_visitors_are_sent_to_sign_in(client, failed_job):
    for url in urls(failed_job):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/connexion/"), url


@pytest.mark.parametrize("role", ["caseworker", "coordinator", "observer"])
def test_other_roles_are_refused(client, failed_job, role):
    extra = {"structures": [StructureFactory()]} if role == "caseworker" else {}
    client.force_login(UserFactory(username=f"un-{role}", **{role: True}, **extra))
    for url in urls(failed_job):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("exchange:upload"), {}).status_code == 403
    assert client.post(reverse("exchange:export"), {"territory": "france"}).status_code == 403


def test_an_administrator_does_not_find_another_ones_job(client, failed_job):
    client.force_login(UserFactory(username="ddets", administrator=True, territories="departement:13"))
    for url in urls(failed_job)[3:]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("exchange:job_list")).status_code == 200


def test_the_owner_and_a_superuser_open_the_job(client, failed_job):
    for user in (failed_job.uploaded_by, UserFactory(username="root", is_superuser=True, role="")):
        client.force_login(user)
        for url in urls(failed_job):
            assert client.get(url).status_code == 200, (user, url)


def test_administrator_navigation_and_home_tile(client, geo):
    client.force_login(UserFactory(username="dreets", administrator=True))
    page = client.get(reverse("home")).content.decode()
    url = reverse("exchange:job_list")
    assert f'<a class="fr-nav__link" href="{url}">Import / export</a>' in page
    assert f'<h2 class="fr-tile__title"><a href="{url}">Import / export</a></h2>' in page


def test_job_list_shows_own_jobs_or_all_for_a_superuser(client, django_assert_max_num_queries, geo):
    admin = UserFactory(username="dreets", administrator=True)
    other = UserFactory(username="ddets", administrator=True, territories="departement:13")
    make_job(admin, "premier.zip", status=ImportStatus.DONE, summary=["structures.csv : 1 créé(s)"])
    make_job(admin, "second.zip", dry_run=True)
    make_job(other, "autre.zip", status=ImportStatus.FAILED, error="L'import a échoué.")

    client.force_login(admin)
    # Session, user, the sweep's SELECT of the unfinished jobs (no UPDATE: none is stuck), count of the
    # jobs, the page of jobs joined to their uploader; then the session is saved (SESSION_SAVE_EVERY_REQUEST:
    # a savepoint, its UPDATE, the release), whatever the number of jobs.
    with django_assert_max_num_queries(8):
        page = client.get(reverse("exchange:job_list")).content.decode()
    assert "premier.zip" in page and "second.zip" in page
    assert "autre.zip" not in page

    client.force_login(UserFactory(username="root", is_superuser=True, role=""))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("exchange:job_list")).content.decode()
    assert all(name in page for name in ("premier.zip", "second.zip", "autre.zip"))
    assert "Déposé par" in page
