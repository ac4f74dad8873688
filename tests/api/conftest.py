import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import api_token_issue, api_token_revoke
from territories.territory import parse_territory
from tests.security.scenario import make_world

# Which person of the security world (tests/security/scenario.py) each token reads as.
AS_PERSON = {
    "structure_a": "caseworker_a",
    "structure_b": "caseworker_b",
    "territory": "coordinator",
    "territory_other": "coordinator_other",
}
TOKEN_KINDS = (*AS_PERSON, "expired", "revoked", "none")


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The throttle counts in the cache: every test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    return make_world()


def issue(world, *, structure=None, territory=None, days=30, name="Logiciel de test"):
    return api_token_issue(
        name=name,
        by=world.users["administrator"],
        days=days,
        structure=structure,
        territory=parse_territory(territory) if territory else None,
    )


@pytest.fixture
def tokens(world):
    """The raw token of each kind, and the rows in world.extra["api_tokens"]."""
    rows, raws = {}, {}
    specs = {
        "structure_a": {"structure": world.structures["a"]},
        "structure_b": {"structure": world.structures["b"]},
        "territory": {"territory": "departement:13"},
        "territory_other": {"territory": "departement:06"},
        "expired": {"structure": world.structures["a"]},
        "revoked": {"structure": world.structures["a"]},
    }
    for kind, spec in specs.items():
        rows[kind], raws[kind] = issue(world, name=f"Logiciel {kind}", **spec)
    rows["expired"].expires_at = timezone.now() - datetime.timedelta(seconds=1)
    rows["expired"].save(update_fields=["expires_at"])
    api_token_revoke(token=rows["revoked"], by=world.users["administrator"])
    raws["none"] = None
    world.extra["api_tokens"] = rows
    return raws


def client_for(raw: str | None) -> APIClient:
    client = APIClient()
    if raw:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def clients(tokens):
    return {kind: client_for(raw) for kind, raw in tokens.items()}


@pytest.fixture
def small(db):
    """A lighter world than the security one (no bilans): structures A (Marseille) and B (Aix), a
    household in each, a confidential one in A, Nice's N outside the 13; an administrator of the 93;
    a token of each kind (small.raw, small.rows). Names from tests/security/scenario.py."""
    from types import SimpleNamespace

    from accounts.enums import Role
    from pathways.enums import SituationKind, Stage
    from tests.accounts.factories import UserFactory
    from tests.geo import make_geo
    from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance
    from tests.security.scenario import NAMES
    from tests.territories.factories import StructureFactory

    geo = make_geo()
    structures = {
        "a": StructureFactory(name="Association Alpha", commune=geo.marseille),
        "b": StructureFactory(name="Bailleur Beta", commune=geo.aix),
        "n": StructureFactory(name="Association Azur", commune=geo.nice),
    }
    admin = UserFactory(username="admin93", role=Role.ADMINISTRATOR, territories="region:93")
    communes = {"a": geo.marseille, "b": geo.aix, "n": geo.nice, "c": geo.marseille}
    pathways = {}
    for key in ("a", "b", "n", "c"):
        last, first = NAMES[key]
        pathway = PathwayFactory(
            household=HouseholdFactory(confidential=key == "c", members=[{"last_name": last, "first_name": first}]),
            referent_structure=structures["a" if key == "c" else key],
            commune=communes[key],
            opened_on=datetime.date(2020, 3, 2),
            situation=SituationKind.RUE,
        )
        advance(pathway, Stage.EVALUATION, Stage.ATTENTE_ORIENTATION, on=datetime.date(2020, 4, 1))
        pathway.refresh_from_db()
        pathways[key] = pathway
    world = SimpleNamespace(geo=geo, structures=structures, users={"administrator": admin}, pathways=pathways, extra={})
    rows, raws = {}, {}
    for kind, spec in {
        "structure_a": {"structure": structures["a"]},
        "structure_b": {"structure": structures["b"]},
        "territory": {"territory": "departement:13"},
        "territory_other": {"territory": "departement:06"},
    }.items():
        rows[kind], raws[kind] = issue(world, name=f"Logiciel {kind}", **spec)
    world.rows, world.raw = rows, raws
    world.clients = {kind: client_for(raw) for kind, raw in raws.items()}
    world.names = NAMES
    return world
