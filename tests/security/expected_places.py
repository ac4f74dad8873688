"""Access-matrix entries of the places pages (merged into EXPECTED by test_access_matrix.py).

Places are kept by the operating structure's caseworkers (their structures' sites) and the coordinators
(the sites of their territory); matching and proposing are the coordination's; administrators read the
counts only (places:summary); a superuser (operator) none of it. A place out of scope does not exist (404)."""

from tests.security.expectations import (
    ADMINISTRATORS,
    CASEWORK,
    LOGIN,
    NO_NAMES,
    POST_ON_PAGE,
    Entry,
    case_file,
    page_for,
    pathways,
)

# Who sees the sites, places and proposals of the scenario (tests/security/scenario.py _places).
SITE_SCOPE = {"a": {"caseworker_a", "coordinator"}, "n": {"coordinator_other"}}
# A proposal is seen on its place (site of A) and on its pathway (referent B, commune Aix).
PROPOSAL_SCOPE = {"a": {"caseworker_a", "caseworker_b", "coordinator"}}
COORDINATION = {"coordinator", "coordinator_other"}


def sites(world):
    return [(key, [site.pk]) for key, site in world.extra["sites"].items()]


def places(world):
    return [(key, [place.pk]) for key, place in world.extra["places"].items()]


def proposals(world):
    return [(key, [proposal.pk]) for key, proposal in world.extra["proposals"].items()]


def scoped(scope: dict, *, get, post, roles=CASEWORK, post_only: bool = False):
    """A page of one site, place or proposal: open to `roles` in its `scope`, 404 out of it, 403 for
    the other roles. A `post_only` action refuses a GET (405) before looking the record up."""

    def expect(role, obj, method):
        if role == "anonymous":
            return LOGIN
        if role not in roles:
            return NO_NAMES if role == "superuser" else 403
        if post_only and method == "GET":
            return 405
        if role not in scope[obj]:
            return 404
        return get if method == "GET" else post

    return expect


EXPECTED: dict[str, Entry] = {
    "places:vacancy_list": Entry(lambda world: [(None, [])], page_for(CASEWORK)),
    "places:proposal_list": Entry(lambda world: [(None, [])], page_for(CASEWORK)),
    "places:site_list": Entry(lambda world: [(None, [])], page_for(CASEWORK)),
    # Counts by kind and state, no household: administrators too.
    "places:summary": Entry(lambda world: [(None, [])], page_for(CASEWORK | ADMINISTRATORS)),
    # An empty POST re-shows the add-a-place form with its errors.
    "places:site_detail": Entry(sites, scoped(SITE_SCOPE, get=200, post=200)),
    "places:place_detail": Entry(places, scoped(SITE_SCOPE, get=200, post=POST_ON_PAGE)),
    "places:place_unavailable": Entry(places, scoped(SITE_SCOPE, get=200, post=200)),
    # An empty form: back to the site's page with the message.
    "places:place_free": Entry(places, scoped(SITE_SCOPE, get=405, post=302, post_only=True)),
    "places:matching": Entry(places, scoped(SITE_SCOPE, get=200, post=POST_ON_PAGE, roles=COORDINATION)),
    "places:propose": Entry(places, scoped(SITE_SCOPE, get=405, post=200, roles=COORDINATION, post_only=True)),
    "places:proposal_answer": Entry(proposals, scoped(PROPOSAL_SCOPE, get=200, post=200)),
    # A household's needs for a place (mobility, pets, commune wished): a page of its case file.
    "places:needs": Entry(pathways, case_file(get=200, post=200)),
}
