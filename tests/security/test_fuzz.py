"""Malformed values in every form and filter of the application, sent by a person allowed to use it: a
French message or a refusal, never a server error (issue 8).

The forms are read from the pages themselves (every <form> of the page, its fields and the values it
offers), so a field added to a form is fuzzed without a change here. Each example mixes values the page
offers (to get past the first checks) with hostile ones: NUL bytes, very long text, unicode oddities,
huge and negative numbers, impossible dates, unknown choices, missing fields, absurd formset counts.
Every request runs in a savepoint rolled back afterwards, so the examples do not pile up data.

The client raises the view's exception, so a server error shows its traceback and hypothesis the input."""

import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import send

EXAMPLES = 30  # per form: about 1,000 requests in all
REQUESTS = {"count": 0}

# --- The forms of a page -------------------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values the page offers
    files: set[str] = field(default_factory=set)
    # Sent only when ticked or clicked: a browser sends one submit button, the one clicked.
    optional: set[str] = field(default_factory=set)
    buttons: dict[str, str] = field(default_factory=dict)


class FormParser(HTMLParser):
    """The forms of a page with their fields, as a browser would send them."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def offer(self, name: str, value: str):
        if self.form is not None and name and name != "csrfmiddlewaretoken":
            values = self.form.fields.setdefault(name, [])
            if value not in values:
                values.append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = Form((attrs.get("method") or "get").upper(), attrs.get("action") or self.page_url)
            self.forms.append(self.form)
        elif tag in ("input", "button") and attrs.get("name"):
            kind = attrs.get("type") or ("submit" if tag == "button" else "text")
            if self.form is None:
                return
            if kind == "file":
                self.form.files.add(attrs["name"])
            elif kind == "submit":
                self.form.buttons[attrs["name"]] = attrs.get("value") or ""
            else:
                if kind in ("checkbox", "radio"):
                    self.form.optional.add(attrs["name"])
                self.offer(attrs["name"], attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select:
            self.offer(self.select, attrs.get("value") or "")
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.offer(self.textarea or "", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_of(client, url: str) -> list[Form]:
    response = client.get(url, follow=True)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    parser = FormParser(response.request["PATH_INFO"])
    parser.feed(response.content.decode())
    return [form for form in parser.forms if form.fields or form.files or form.buttons]


# --- Hostile values -------------------------------------------------------------------------------------------

ODD_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), include_characters="\x00\u202e\ufeff\u200b\U0001f600"),
    max_size=40,
)
BAD_DATES = st.sampled_from(
    [
        "31/02/2024",
        "2024-02-31",
        "99999-01-01",
        "9999-12-31",
        "0001-01-01",
        "0000-00-00",
        "2024-13-45",
        "-1-01-01",
        "01/01/1800",
        "2024-01-01\x00",
        "aujourd'hui",
    ]
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["1e9", "-0", "NaN", "inf", "1,5", "0x10", "٣", "²", "½", "9" * 400, "2147483648", "-2147483649"]),
)
FORMSET_COUNTS = st.sampled_from(["abc", "-1", "1000000", "1e3", "", "\x00", "2.5", "9" * 30, "²", "٣", " 1"])
# Characters that str.isdigit() accepts and int() refuses (or the reverse), alone or in a reference.
DIGIT_LOOKALIKES = st.sampled_from(["²", "M-²", "P-¹", "²:1", "1:²", "٣", "½", "1:1:1", ":", "9" * 30 + ":1"])
HOSTILE = st.one_of(
    DIGIT_LOOKALIKES,
    ODD_TEXT,
    ODD_TEXT.map(lambda text: f"{text}\x00{text}"),
    st.sampled_from(["a" * 20_000, "é" * 5_000, "' OR 1=1 --", "<script>alert(1)</script>", "%00", "../../etc/passwd"]),
    NUMBERS,
    BAD_DATES,
    st.just("valeur-inconnue"),
)


def hostile_for(name: str):
    if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")):
        return st.one_of(FORMSET_COUNTS, st.just(None))
    return st.one_of(HOSTILE, st.just(None))  # None: the field is left out


@st.composite
def payloads(draw, form: Form):
    """The values the page offers, with one to three fields spoilt: a request with every field spoilt is
    refused at its first check, and the later ones (formsets, services) would never be reached."""
    data = {name: draw(st.sampled_from([v for v in offered if v] or [""])) for name, offered in form.fields.items()}
    for name in sorted(form.optional):
        if draw(st.booleans()):
            del data[name]
    if form.buttons:
        clicked = draw(st.sampled_from(sorted(form.buttons)))
        data[clicked] = form.buttons[clicked]
    names = sorted({*form.fields, *form.buttons})
    spoilt = draw(st.lists(st.sampled_from(names), min_size=1, max_size=min(3, len(names)), unique=True))
    # The formset's counts are read before any field: spoil one of them in one example of two.
    counts = [name for name in names if name.endswith("_FORMS")]
    if counts and draw(st.booleans()):
        spoilt.append(draw(st.sampled_from(counts)))
    for name in spoilt:
        data[name] = draw(hostile_for(name))
    return {name: value for name, value in data.items() if value is not None}


UPLOADS = st.builds(
    lambda name, content: SimpleUploadedFile(name, content),
    st.sampled_from(["menages.csv", "echange.zip", "a\x00.csv", "..\\..\\x.csv", "é" * 300 + ".csv", "x"]),
    st.one_of(
        st.binary(max_size=200),
        st.sampled_from([b"PK\x03\x04" + b"\x00" * 50, b"\xef\xbb\xbfnom;prenom\n\x00;\x00\n", b"a;" * 500]),
    ),
)


def fuzz(client, form: Form) -> list[str]:
    """Send EXAMPLES malformed versions of `form`; the server errors met, one per form and error, with the
    input that raised it (collected rather than raised, so that one error does not hide the next form's)."""
    errors = {}

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=payloads(form), upload=UPLOADS if form.files else st.none())
    def example(data, upload):
        if upload is not None:
            data = {**data, **dict.fromkeys(form.files, upload)}
        REQUESTS["count"] += 1
        try:
            response = send(client, form.method, form.action, data)
        except Exception as error:
            where = traceback.extract_tb(error.__traceback__)[-1]
            key = f"{type(error).__name__} at {where.filename}:{where.lineno}"
            errors.setdefault(key, f"{form.method} {form.action}: {key}: {error}; input {short(data)}")
            return
        if response.status_code >= 500:
            errors.setdefault(
                response.status_code, f"{form.method} {form.action}: {response.status_code}; {short(data)}"
            )

    example()
    return list(errors.values())


def short(data: dict) -> str:
    return repr(
        {
            name: (f"{value[:60]}…" if isinstance(value, str) and len(value) > 60 else value)
            for name, value in data.items()
        }
    )


# --- Who fills which page -------------------------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fuzz_pages(
    client, urls: list[str], *, extra_get: dict[str, list[str]] | None = None, more: dict | None = None
) -> int:
    """Fuzz every form of these pages (and, for GET filters, a page number); the number of forms. `more`
    adds fields to the form posted to an action (rows the page lists only when its filters match)."""
    done, before, errors = 0, REQUESTS["count"], []
    seen = set()
    for url in urls:
        for form in forms_of(client, url):
            key = (form.method, form.action, tuple(sorted(form.fields)))
            if key in seen:
                continue
            seen.add(key)
            if form.method == "GET":
                form.fields.setdefault("page", ["2"])
            form.fields.update((more or {}).get(form.action, {}))
            errors += fuzz(client, form)
            done += 1
    for action, names in (extra_get or {}).items():
        errors += fuzz(client, Form("GET", action, {name: [""] for name in names}))
        done += 1
    sent = REQUESTS["count"] - before
    print(f"\n{done} forms, {sent} fuzzed requests (total {REQUESTS['count']})")
    # Hypothesis stops early only when a form has too few distinct inputs: never the case here.
    assert sent >= done * EXAMPLES // 2, (done, sent)
    assert not errors, f"{len(errors)} server errors:\n" + "\n".join(errors)
    return done


def test_casework_forms(world):
    case = world.cases["a"]
    household = reverse("casework:household_detail", args=[case.household.pk])
    forms = fuzz_pages(
        signed_in(world.users["caseworker_a"]),
        [
            reverse("casework:pathway_list"),
            reverse("casework:household_new"),
            household,
            reverse("casework:household_edit", args=[case.household.pk]),
        ],
        extra_get={
            reverse("casework:pathway_list"): ["etat", "q", "page"],
            reverse("casework:commune_suggestions"): ["q", "champ", "format"],
        },
    )
    assert forms >= 8, forms  # list filter, new, edit, stage, situation, contact, measure, close measure


def test_coordination_forms(world):
    pathway = world.cases["a"].pathway
    client = signed_in(world.users["coordinator"])
    forms = fuzz_pages(
        client,
        [
            reverse("queues:list"),
            reverse("queues:orient", args=[pathway.pk]),
            reverse("queues:assign", args=[pathway.pk]),
            reverse("casework:household_detail", args=[world.cases["b"].household.pk]),
        ],
        more={
            reverse("queues:bulk_assign"): {
                "parcours": [f"{case.pathway.pk}:{case.pathway.version}" for case in world.cases.values()]
            }
        },
        extra_get={
            reverse("queues:stalled"): ["page"],
            reverse("queues:export_csv"): list(
                next(f for f in forms_of(client, reverse("queues:list")) if f.method == "GET").fields
            ),
        },
    )
    assert forms >= 6, forms  # queue filters, bulk assign, orient, assign, share, stalled, export


def test_bilan_and_exchange_forms(world):
    run = world.runs["d13"]
    forms = fuzz_pages(
        signed_in(world.users["administrator"]),
        [
            reverse("reports:run_list"),
            reverse("reports:run_request"),
            reverse("reports:targets"),
            reverse("reports:run_publish", args=[run.pk]),
            reverse("exchange:upload"),
            reverse("exchange:export"),
        ],
        extra_get={
            reverse("reports:run_list"): ["territoire", "page"],
            reverse("reports:figure_records", args=[run.pk, world.figures["d13"].pk]): ["page"],
            reverse("exchange:job_list"): ["page"],
        },
    )
    assert forms >= 7, forms  # run filter, request, targets, publish, upload, export, drill-down page


def test_sign_in_forms(world):
    forms = fuzz_pages(Client(), [reverse("login")])
    assert forms >= 1
    # Forgotten password and the invitation link's password form, for whoever holds the link.
    token = world.extra["invitation_token"]
    forms += fuzz_pages(Client(), [reverse("password_reset"), reverse("invitation_accept", args=[token])])
    # The second factor, turned on: an administrator between the password and the code.
    with override_settings(SECOND_FACTOR_REQUIRED=True):
        forms += fuzz_pages(signed_in(world.users["administrator"]), [reverse("accounts:second_factor")])
    assert forms >= 4, forms  # sign-in, password reset, invitation, second factor


def test_digits_that_int_refuses_are_no_reference(world):
    """ "²" passes str.isdigit() and fails int(): a name search and a queue selection once answered 500."""
    client = signed_in(world.users["coordinator"])
    response = client.get(reverse("casework:pathway_list"), {"q": "M-²"})
    assert response.status_code == 200
    for value in ("²:1", "1:²", "²"):
        response = client.post(reverse("queues:bulk_assign"), {"parcours": [value], "confirmer": "1"})
        assert response.status_code == 200
        assert "Sélection de parcours illisible" in response.content.decode()
    # "Ajouter une personne" with a forged count of members.
    client = signed_in(world.users["caseworker_a"])
    for url in (
        reverse("casework:household_new"),
        reverse("casework:household_edit", args=[world.cases["a"].household.pk]),
    ):
        response = client.post(url, {"members-TOTAL_FORMS": "²", "ajouter_personne": "1"})
        assert response.status_code == 200, url


def test_places_notifications_and_token_forms(world):
    """The pages of places and matching, the notification preferences and the API token form."""
    places, proposal = world.extra["places"], world.extra["proposals"]["a"]
    forms = fuzz_pages(
        signed_in(world.users["coordinator"]),
        [
            reverse("places:vacancy_list"),
            reverse("places:matching", args=[places["a"].pk]),
            reverse("places:proposal_answer", args=[proposal.pk]),
            reverse("places:needs", args=[world.cases["a"].pathway.pk]),
        ],
        extra_get={reverse("places:proposal_list"): ["page", "etat"]},
    )
    forms += fuzz_pages(
        signed_in(world.users["caseworker_a"]),
        [reverse("places:site_detail", args=[world.extra["sites"]["a"].pk]), reverse("notifications:preferences")],
    )
    forms += fuzz_pages(signed_in(world.users["administrator"]), [reverse("api_tokens:list")])
    assert forms >= 6, forms
