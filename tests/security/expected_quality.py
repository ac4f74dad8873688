"""Access-matrix entries of the data-quality and monthly-steering pages (merged into EXPECTED by
test_access_matrix.py).

Monthly steering (counts only): coordinators, administrators and the superuser; the others are refused.

The counts, shares and scores: caseworkers (their structures' files), coordinators (their territories'),
administrators and the superuser (aggregates of their territory); observers are refused. The lists behind
the counts name households: caseworkers and coordinators only. An unknown check is a 404."""

from tests.security.expectations import ADMINISTRATORS, CASEWORK, Entry, by_role, page_for

READERS = CASEWORK | ADMINISTRATORS | {"superuser"}


def checks(world):
    return [("known", ["situation_inconnue"]), ("unknown", ["pas-une-verification"])]


def files(role, obj, method):
    answer = by_role({**dict.fromkeys(CASEWORK, 200), "*": 403})(role, obj, method)
    return 404 if obj == "unknown" and answer == 200 else answer


EXPECTED: dict[str, Entry] = {
    "quality:overview": Entry(lambda world: [(None, [])], page_for(READERS, post=200)),
    "quality:files": Entry(checks, files),
}
EXPECTED["steering:flows"] = Entry(
    lambda world: [(None, [])],
    page_for({"coordinator", "coordinator_other"} | ADMINISTRATORS | {"superuser"}, post=200),
)
