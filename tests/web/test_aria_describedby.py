"""Every aria-describedby of a form page points to an element of the page (RGAA 11.10): the commune
hint of the queue filters pointed to Django's default "…_helptext" id, which no element had."""

import re

import pytest
from django.urls import reverse

from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def dangling_references(page: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    return [ref for refs in re.findall(r'aria-describedby="([^"]+)"', page) for ref in refs.split() if ref not in ids]


@pytest.mark.parametrize("name", ["casework:household_new", "queues:list", "queues:stalled"])
def test_every_description_a_control_points_to_exists(client, world, name):
    client.force_login(world.coord)
    page = client.get(reverse(name)).content.decode()
    assert "aria-describedby" in page or name == "queues:stalled"
    assert dangling_references(page) == []
