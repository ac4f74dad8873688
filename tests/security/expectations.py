"""The vocabulary of the access matrix: the roles' groups, the objects a URL is tried with, and the
expectations (role, object, method) -> answer. Each area's entries live in their own module beside it
(expected_*.py), merged into EXPECTED by test_access_matrix.py."""

from collections.abc import Callable
from dataclasses import dataclass

from tests.security.scenario import ROLES

LOGIN = "login"  # 302 to the sign-in page
ADMIN_LOGIN = "admin-login"  # 302 to the admin's sign-in page
NO_NAMES = frozenset({403, 404})  # a superuser, on a case file: refused, either way
POST_ON_PAGE = frozenset({200, 405})  # an empty POST to a read-only page: shown again, or refused

CASEWORKERS = {"caseworker_a", "caseworker_b"}
COORDINATORS = {"coordinator", "coordinator_other"}
CASEWORK = CASEWORKERS | COORDINATORS
ADMINISTRATORS = {"administrator", "administrator_other"}
BILAN_ROLES = COORDINATORS | ADMINISTRATORS | {"observer", "superuser"}
EXCHANGE_ROLES = ADMINISTRATORS | {"superuser"}

# Who opens each case file: its referent structure's caseworkers and the coordinators of its commune.
CASE_SCOPE = {
    "a": {"caseworker_a", "coordinator"},
    "b": {"caseworker_b", "coordinator"},
    "n": {"coordinator_other"},
    "c": {"caseworker_a", "coordinator"},
}
# Who reads its names: a confidential household's only inside its referent structure (roles.md).
NAME_SCOPE = {**CASE_SCOPE, "c": {"caseworker_a"}}
# Who reads each bilan (a coordinator: every finished run whose territory meets its scope).
RUN_READERS = {
    "d13": {"administrator", "coordinator", "superuser"},
    "d13_published": {"administrator", "coordinator", "observer", "superuser"},
    "r93_published": {"administrator", "coordinator", "coordinator_other", "observer", "superuser"},
    "r11_published": {"administrator_other", "superuser"},
}
RUN_PUBLISHERS = {
    "d13": {"administrator", "superuser"},
    "d13_published": {"administrator", "superuser"},
    "r93_published": {"administrator", "superuser"},
    "r11_published": {"administrator_other", "superuser"},
}
JOB_READERS = {"mine": {"administrator", "superuser"}, "other": {"administrator_other", "superuser"}}

Expect = Callable[[str, str | None, str], object]  # (role, object key, method) -> expected answer


# --- Objects a URL is tried with: (key, reverse() arguments) ----------------------------------------------


def no_object(world):
    return [(None, [])]


def households(world):
    return [(key, [case.household.pk]) for key, case in world.cases.items()]


def pathways(world):
    return [(key, [case.pathway.pk]) for key, case in world.cases.items()]


def measures(world):
    return [(key, [case.measure.pk]) for key, case in world.cases.items()]


def runs(world):
    return [(key, [run.pk]) for key, run in world.runs.items()]


def figures(world):
    return [(key, [world.runs[key].pk, figure.pk]) for key, figure in world.figures.items()]


def exports(world):
    formats = {"d13": "csv", "d13_published": "pdf", "r93_published": "xlsx", "r11_published": "csv"}
    cells = [(f"{key}:{fmt}", [world.runs[key].pk, fmt]) for key, fmt in formats.items()]
    return [*cells, ("d13_published:doc", [world.runs["d13_published"].pk, "doc"])]


def invitations(world):
    return [("valid", [world.extra["invitation_token"]]), ("unknown", ["jeton-inconnu"])]


def reset_links(world):
    return [("unknown", ["MQ", "jeton-inconnu"])]


def jobs(world):
    return [(key, [job.pk]) for key, job in world.jobs.items()]


# --- Expectations -------------------------------------------------------------------------------------------


def by_role(get: dict, post: dict | None = None, *, anonymous=LOGIN) -> Expect:
    """A page without an object: the answer of each role, the same for every role not named (key "*")."""
    post = get if post is None else post

    def expect(role, obj, method):
        if role == "anonymous":
            return anonymous
        table = get if method == "GET" else post
        return table.get(role, table.get("*"))

    return expect


def page_for(roles: set, *, get=200, post=POST_ON_PAGE, others=403) -> Expect:
    return by_role({**dict.fromkeys(roles, get), "*": others}, {**dict.fromkeys(roles, post), "*": others})


def case_file(*, get, post, refused_role: set = frozenset(), names_needed: bool = False) -> Expect:
    """A page of one case file: open in its scope; 404 elsewhere (a record out of scope does not exist);
    the roles of `refused_role` are refused the page whatever the record (403); a superuser reads no name.
    A page that `names_needed` (the edit form) is refused (403) to who sees the file but not its names."""

    def expect(role, obj, method):
        if names_needed and role in CASE_SCOPE[obj] - NAME_SCOPE[obj]:
            return 403
        if role == "anonymous":
            return LOGIN
        answer = get if method == "GET" else post
        if role == "superuser":
            # A GET to a POST-only action may be refused for its method first, as for every role.
            return NO_NAMES | {405} if answer == 405 else NO_NAMES
        if role in refused_role:
            return 403
        if role in CASE_SCOPE[obj]:
            return answer
        # A POST-only action may refuse the method before looking the record up.
        return frozenset({404, 405}) if answer == 405 else 404

    return expect


def casework_action() -> Expect:
    """A POST-only action on a pathway or a measure: an empty form is shown again with its errors."""
    return case_file(get=405, post=200)


def coordination_action(*, get, post) -> Expect:
    """A coordination page on one pathway: every other role is refused the page (403)."""
    return case_file(get=get, post=post, refused_role=(set(ROLES) - COORDINATORS - {"anonymous", "superuser"}))


def bilan(*, readers: dict, get=200, post=POST_ON_PAGE, refused: set = frozenset(), obj_key=lambda obj: obj) -> Expect:
    """A page of one bilan: its readers open it; the other roles with bilans do not find it (404); a role
    without bilans is refused (403); `refused` readers may not use this page (403)."""

    def expect(role, obj, method):
        if role == "anonymous":
            return LOGIN
        if role not in BILAN_ROLES:
            return 403
        if role not in readers[obj_key(obj)]:
            return 404
        if role in refused:
            return 403
        return get if method == "GET" else post

    return expect


def publish(role, obj, method):
    """The publication page of a bilan: its confirmation (GET) for a run not yet published, else back to it."""
    if role == "anonymous":
        return LOGIN
    if role not in BILAN_ROLES:
        return 403
    if role not in RUN_READERS[obj]:
        return 404
    if role not in RUN_PUBLISHERS[obj]:
        return 403
    if method == "GET" and obj == "d13":
        return 200
    return 302


def figure_records(role, obj, method):
    """Drill-down: administrators (by reference), coordinators (their scope's records), the superuser;
    never an observer."""
    refused = {"observer"}
    return bilan(readers=RUN_READERS, refused=refused)(role, obj, method)


def run_export(role, obj, method):
    run, fmt = obj.split(":")
    if role == "anonymous":
        return LOGIN
    if fmt == "doc":
        return 404 if role in BILAN_ROLES else {403, 404}
    return bilan(readers=RUN_READERS)(role, run, method)


def job(role, obj, method):
    if role == "anonymous":
        return LOGIN
    if role not in EXCHANGE_ROLES:
        return 403
    return (200 if method == "GET" else POST_ON_PAGE) if role in JOB_READERS[obj] else 404


@dataclass(frozen=True)
class Entry:
    objects: Callable
    expect: Expect


SIGNED_IN = set(ROLES) - {"anonymous"}
