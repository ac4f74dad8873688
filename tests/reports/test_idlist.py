"""The compact id lists of the bilan figures (reports/idlist.py) and the filter that reads them back."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, Subquery
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways.models import Household
from reports.idlist import IdIn, decode, encode
from tests.pathways.factories import HouseholdFactory

ids_lists = st.lists(st.one_of(st.integers(0, 2**62), st.integers(0, 1000)), max_size=300)


@settings(derandomize=True, database=None, deadline=None)
@given(ids_lists)
def test_decode_gives_back_the_sorted_unique_ids(ids):
    data = encode(ids)
    assert decode(data) == sorted(set(ids))
    # The same set in any order and with repeats is the same bytes: a run's blob depends on its ids only.
    assert encode(list(reversed(ids)) + ids) == data


def test_the_empty_list_is_empty_bytes():
    assert encode([]) == b""
    assert decode(b"") == []
    assert decode(memoryview(encode([5, 2**62]))) == [5, 2**62]  # PostgreSQL hands bytea as memoryview


def test_a_negative_id_or_a_truncated_list_is_refused():
    import zlib

    with pytest.raises(ValueError):
        encode([3, -1])
    with pytest.raises(ValueError):
        decode(zlib.compress(b"\x05\x81"))  # the second varint says "more" and stops


def test_a_hundred_thousand_close_ids_take_a_few_kilobytes():
    # Ids of a figure: rows created together, with gaps where other territories' rows were created.
    ids = [1_000_000 + 3 * n + (n % 7 == 0) for n in range(100_000)]
    data = encode(ids)
    assert len(data) < 20_000
    assert decode(data) == ids
    # One id in ten of a million at random (gaps averaging 10, one-byte varints): well under 100 KB too.
    import random

    scattered = sorted(random.Random(7).sample(range(1_000_000), 100_000))
    assert len(encode(scattered)) < 80_000


@pytest.fixture
def households(geo):
    return [HouseholdFactory(), HouseholdFactory(), HouseholdFactory()]


def test_the_filter_takes_one_parameter_whatever_the_number_of_ids(households):
    first, second, third = households
    absent = range(third.pk + 1, third.pk + 45_001)
    ids = [first.pk, third.pk, *absent]
    records = Household.objects.filter(IdIn(ids))
    sql, params = records.query.sql_with_params()
    assert len(params) == 1
    if connection.vendor == "postgresql":
        assert '"pathways_household"."id" = ANY(%s::bigint[])' in sql
    else:
        assert '"pathways_household"."id" IN (SELECT value FROM json_each(%s))' in sql
    assert sorted(records.values_list("pk", flat=True)) == [first.pk, third.pk]
    assert records.count() == 2


def test_the_filter_combines_with_other_filters_subqueries_and_pages(households):
    first, second, third = households
    ids = [first.pk, second.pk, *range(third.pk + 1, third.pk + 45_001)]
    assert list(Household.objects.filter(IdIn(ids), pk__gt=first.pk)) == [second]
    assert list(Household.objects.filter(~Q(IdIn(ids)))) == [third]
    assert list(Household.objects.filter(Q(IdIn([first.pk])) | Q(pk=third.pk)).order_by("pk")) == [first, third]
    inner = Household.objects.filter(IdIn(ids)).values("pk")
    assert list(Household.objects.filter(pk__in=Subquery(inner)).order_by("pk")) == [first, second]
    page = Paginator(Household.objects.filter(IdIn(ids)).order_by("pk"), 1).get_page(2)
    assert (page.paginator.count, list(page.object_list)) == (2, [second])
    assert not Household.objects.filter(IdIn([])).exists()
    members = Household.objects.filter(IdIn(ids, column="members__household_id")).distinct()
    assert sorted(members.values_list("pk", flat=True)) == [first.pk, second.pk]
