"""The orientation page shows what the decision is taken on: the household's composition, its current
situation, the last steps of the pathway and a link to its file."""

import re

import pytest
from django.urls import reverse

from pathways.enums import Stage
from tests.pathways.factories import advance
from tests.web.queues_scenario import days_ago, make_scenario


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


@pytest.fixture
def coordinator_client(client, scenario):
    client.force_login(scenario.coordinator)
    return client


def history(page: str) -> list[str]:
    block = re.search(r'data-testid="orientation-history">(.*?)</ul>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>|\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", block, re.S)]


def test_the_page_shows_the_household_its_situation_and_its_last_steps(coordinator_client, scenario):
    diallo = scenario.diallo
    page = coordinator_client.get(reverse("queues:orient", args=[diallo.pk])).content.decode()
    household = re.search(r'data-testid="orientation-household">.*?</section>', page, re.S).group(0)
    assert "Famille monoparentale : 1 adulte, 2 enfants" in household
    assert f"<dd>CHRS depuis le {days_ago(40):%d/%m/%Y}</dd>" in household
    link = reverse("casework:household_detail", args=[diallo.household_id])
    assert (
        f'href="{link}#parcours-{diallo.pk}">Ouvrir le dossier du ménage {diallo.household.reference}</a>' in household
    )
    # Newest first.
    assert history(page) == [
        f"{days_ago(20):%d/%m/%Y} : En attente d&#x27;orientation",
        f"{days_ago(20):%d/%m/%Y} : Évaluation sociale",
        f"{days_ago(40):%d/%m/%Y} : Demande enregistrée",
    ]
    assert "Les étapes plus anciennes" not in page


def test_the_last_five_steps_and_a_confidential_reason_kept_inside_its_structure(coordinator_client, scenario):
    secret = scenario.secret
    advance(secret, Stage.ORIENTE, Stage.PROPOSITION, Stage.CALEOL, Stage.ATTRIBUE, Stage.ORIENTE, on=days_ago(1))
    page = coordinator_client.get(reverse("queues:orient", args=[secret.pk])).content.decode()
    steps = history(page)
    assert len(steps) == 5 and steps[0].startswith(f"{days_ago(1):%d/%m/%Y} : Orienté")
    # The coordinator works in no referent structure of this confidential household.
    assert "motif masqué (confidentiel)" in steps[0] and "Logement refusé" not in page
    assert "Les étapes plus anciennes sont dans" in page
    assert "Personne seule : 1 adulte, sans enfant" in page
