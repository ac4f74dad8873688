import pytest

from tests.geo import make_geo


@pytest.fixture
def geo(db):
    """A few communes of région 93 (Marseille, Aix, Nice, Antibes, Avignon, Toulon, Gap) and Paris."""
    return make_geo()
