"""The household form (with its members) and the new-household form that also opens its pathway."""

from dataclasses import dataclass, field

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from pathways.composition import composition_errors, headcount
from pathways.enums import CREATION_STAGES, Composition, Relationship, SituationKind, Stage
from pathways.models import Household, Member, Pathway
from pathways.names import display_name
from pathways.services import pathway_open_errors
from territories.collation import sort_choices_in_french
from territories.forms import CommuneField
from territories.models import Commune, Structure
from territories.perms import target_structures
from territories.text import normalize_name
from web.forms.base import DsfrForm, DsfrFormMixin, DsfrFormSet

# pathway_open's error keys -> fields of the new-household form.
OPEN_FIELD_MAP = {"date": "opened_on", "since": "situation_since"}

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


COUNT_HINT = "Laissé vide, il est calculé d'après les personnes saisies."


class HouseholdForm(DsfrForm):
    composition = forms.ChoiceField(label="Composition", choices=[("", "Choisir")] + Composition.choices)
    # Bounded well below the small integer columns they are stored in (PostgreSQL would refuse 40000).
    # Optional: left empty, they are derived from the members (pathways.composition).
    adults = forms.IntegerField(
        label="Nombre d'adultes",
        min_value=1,
        max_value=99,
        required=False,
        help_text=COUNT_HINT,
        error_messages={"min_value": "Au moins un adulte."},
    )
    children = forms.IntegerField(
        label="Nombre d'enfants", min_value=0, max_value=99, required=False, help_text=COUNT_HINT
    )
    confidential = forms.BooleanField(
        label="Ménage confidentiel",
        required=False,
        help_text="Par exemple une victime de violences : ses noms ne sont visibles que de sa structure référente.",
    )


class HouseholdEditForm(HouseholdForm):
    # The household's version when the form was built: household_update refuses the form if the
    # household changed since (optimistic concurrency, as for pathways).
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": "Ce formulaire est incomplet : rechargez la page puis recommencez votre saisie."},
    )


class MemberForm(DsfrFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    birth_date = forms.DateField(label="Date de naissance", required=False, widget=DATE_WIDGET)
    # No default: only the first person is preset as the reference person (member_formset); for anyone
    # added the user chooses, so that "Ajouter une personne" cannot create a second reference person.
    relationship = forms.ChoiceField(
        label="Lien avec la personne de référence",
        choices=[("", "Choisir")] + Relationship.choices,
        error_messages={"required": "Choisissez le lien avec la personne de référence."},
    )

    def __init__(self, *args, allowed_ids=frozenset(), **kwargs):
        self.allowed_ids = allowed_ids
        super().__init__(*args, **kwargs)

    def clean_id(self):
        member_id = self.cleaned_data["id"]
        if member_id is not None and member_id not in self.allowed_ids:
            raise forms.ValidationError("Cette personne n'appartient pas à ce ménage.")
        return member_id

    def clean_birth_date(self):
        born = self.cleaned_data["birth_date"]
        if born and born > timezone.localdate():
            raise forms.ValidationError("La date de naissance ne peut pas être dans le futur.")
        return born


# A household holds a few people: a forged count cannot make the page build thousands of rows.
MAX_MEMBERS = 30


class BaseMemberFormSet(DsfrFormSet):
    default_error_messages = {
        "too_many_forms": f"Un ménage compte au plus {MAX_MEMBERS} personnes dans ce formulaire.",
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Retirer cette personne"

    def members(self) -> list[dict]:
        """The rows to keep, change or add; a removed row is in removed_ids(), never just left out."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("last_name"):
                continue
            row = {k: data[k] for k in ("last_name", "first_name", "birth_date", "relationship")}
            if data.get("id"):
                row["id"] = data["id"]
            rows.append(row)
        return rows

    def removed_ids(self) -> list[int]:
        """The members whose "Retirer cette personne" box is ticked: the only way to remove one."""
        return [
            form.cleaned_data["id"]
            for form in self.deleted_forms
            if form.cleaned_data.get("id") and not form.errors.get("id")
        ]

    def clean(self):
        if any(self.errors):
            return
        if not self.members():
            raise forms.ValidationError("Indiquez au moins une personne du ménage.")


MemberFormSet = forms.formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=0,
    min_num=1,
    max_num=MAX_MEMBERS,
    absolute_max=MAX_MEMBERS,
    validate_max=True,
    can_delete=True,
)


def member_formset(data=None, *, initial=None, allowed_ids=frozenset(), add_row=False):
    """The members formset; `add_row` re-renders a submitted formset with one more empty row (the
    "Ajouter une personne" button, which works without JavaScript)."""
    if data is not None and add_row:
        data = data.copy()
        key = "members-TOTAL_FORMS"
        count = data.get(key) or ""
        # A forged count (not a number, or huge) is read as the rows a household can hold.
        count = min(int(count), MAX_MEMBERS - 1) if count.isascii() and count.isdigit() else 0
        data[key] = str(count + 1)
    if data is None and initial is None:
        initial = [{"relationship": Relationship.REFERENCE}]
    return MemberFormSet(data, initial=initial, prefix="members", form_kwargs={"allowed_ids": allowed_ids})


def person_label(index: int, form) -> str:
    """ "Personne 2 (MARTIN Léa)": how an error names the member it is about, from what was typed."""
    last = (form["last_name"].value() or "").strip()
    first = (form["first_name"].value() or "").strip()
    name = display_name(last, first)
    return f"Personne {index + 1} ({name})" if name else f"Personne {index + 1}"


def check_composition(form, formset, *, on, others=()) -> None:
    """Judge the household's composition and counts against the people of `formset` (pathways.composition),
    after both were validated, so that every error is reported at once. Counts left empty are derived
    from the members and put in form.cleaned_data. Errors go to their field, or above the members."""
    data = getattr(form, "cleaned_data", {})
    if "composition" in form.errors or "composition" not in data:
        return
    rows = []
    for member in formset.forms:
        cleaned = getattr(member, "cleaned_data", {})
        if cleaned.get("DELETE") or not (member["last_name"].value() or "").strip():
            continue
        rows.append({"birth_date": cleaned.get("birth_date"), "relationship": cleaned.get("relationship")})
    # The household's people that the form did not show (the edit form lists them all unless the
    # household changed meanwhile, which its version check refuses anyway).
    shown = {m.cleaned_data.get("id") for m in formset.forms if getattr(m, "cleaned_data", None)}
    rows += [{"birth_date": m.birth_date, "relationship": m.relationship} for m in others if m.pk not in shown]
    if not rows:
        return
    counts = {}
    derived = dict(zip(("adults", "children"), headcount(rows, on=on).derived(), strict=True))
    for name in ("adults", "children"):
        if name in form.errors:
            counts[name] = None
        elif data.get(name) is None:
            counts[name] = data[name] = derived[name]
        else:
            counts[name] = data[name]
    if counts["adults"] is not None and counts["adults"] < 1:
        form.add_error("adults", "Au moins un adulte : indiquez la date de naissance d'une personne majeure.")
        return
    member_errors = any(m.errors.get("relationship") or m.errors.get("birth_date") for m in formset.forms)
    errors = composition_errors(composition=data["composition"], members=rows, on=on, **counts)
    for name, messages in errors.items():
        if name == "members":
            if not member_errors:
                formset._non_form_errors.extend(messages)
        else:
            for message in messages:
                form.add_error(name, message)


class NewHouseholdForm(HouseholdForm):
    situation = forms.ChoiceField(
        label="Situation résidentielle actuelle",
        choices=[("", "Inconnue")] + SituationKind.choices,
        required=False,
    )
    situation_since = forms.DateField(
        label="Dans cette situation depuis le",
        required=False,
        widget=DATE_WIDGET,
        help_text="Par défaut, la date d'ouverture du parcours.",
    )
    structure = forms.ModelChoiceField(
        label="Structure référente",
        queryset=Structure.objects.none(),
        empty_label="Choisir",
        error_messages={
            "invalid_choice": "Vous ne pouvez pas confier de parcours à cette structure : choisissez-en une de la liste."
        },
    )
    commune = CommuneField(label="Commune du parcours")
    dalo = forms.BooleanField(label="Ménage reconnu prioritaire DALO", required=False)
    stage = forms.ChoiceField(
        label="Étape initiale",
        choices=[(s, Stage(s).label) for s in CREATION_STAGES],
        initial=Stage.DEMANDE,
    )
    opened_on = forms.DateField(label="Date d'ouverture du parcours", widget=DATE_WIDGET)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].initial = timezone.localdate()
        # Only the structures the person may hand a pathway to: its own, or those of its territory.
        self.fields["structure"].queryset = target_structures(user)
        sort_choices_in_french(self.fields["structure"])

    def clean_commune(self):
        commune = self.cleaned_data["commune"]
        if commune and self.user.is_coordinator and not self.user.is_superuser:
            in_scope = Commune.objects.filter(self.user.territory_q(), pk=commune.pk).exists()
            if not in_scope:
                raise forms.ValidationError(f"{commune.name} est hors de votre territoire de coordination.")
        return commune

    def clean(self):
        data = super().clean()
        if data.get("situation_since") and not data.get("situation"):
            self.add_error("situation", "Indiquez la situation qui commence à cette date.")
        if data.get("opened_on") and data.get("stage") and "situation_since" not in self.errors:
            # The opening's own rules (pathways.services.pathway_open), reported with the other errors.
            errors = pathway_open_errors(
                stage=data["stage"],
                opened_on=data["opened_on"],
                situation=data.get("situation") or "",
                situation_since=data.get("situation_since"),
            )
            for key, message in errors.items():
                name = OPEN_FIELD_MAP.get(key, key)
                self.add_error(name if name in self.fields else None, message)
        return data


@dataclass
class Duplicate:
    household: Household
    members: list[Member] = field(default_factory=list)
    reasons: set[str] = field(default_factory=set)


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _match_reason(wanted: tuple, member: Member) -> str | None:
    last, first, born = wanted
    m_last, m_first = normalize_name(member.last_name), normalize_name(member.first_name)
    same_birth = born is not None and member.birth_date == born
    births_differ = born is not None and member.birth_date is not None and member.birth_date != born
    if m_last == last and m_first == first and same_birth:
        return "Même nom, même prénom et même date de naissance"
    if m_last == last and same_birth:
        return "Même nom et même date de naissance"
    if same_birth and m_first == first and _within_one_edit(m_last, last):
        return "Nom proche, même prénom et même date de naissance"
    if not births_differ and m_last == last and first and _within_one_edit(m_first, first):
        return "Même nom et prénom identique ou proche"
    return None


def find_duplicates(*, user, members: list[dict]) -> list[Duplicate]:
    """Households the user sees (and may find by name) with a member close to one of `members`:
    same name and birth date, or close spellings, accents and case ignored."""
    wanted = [
        (normalize_name(m["last_name"]), normalize_name(m.get("first_name") or ""), m.get("birth_date"))
        for m in members
        if normalize_name(m.get("last_name") or "")
    ]
    if not wanted:
        return []
    # Anonymised members all bear the placeholder name: they are nobody's duplicate.
    households = Household.objects.visible_to(user).filter(anonymised_on__isnull=True)
    if not user.is_superuser:
        # A confidential household is never found by name outside its referent structures (roles.md).
        own = Pathway.objects.filter(household=OuterRef("pk"), referent_structure__in=user.structure_ids)
        households = households.filter(Q(confidential=False) | Exists(own))
    condition = Q()
    for last, _first, born in wanted:
        condition |= Q(search_name=last) | Q(search_name__startswith=f"{last} ")
        if born:
            condition |= Q(birth_date=born)
    candidates = Member.objects.filter(condition, household__in=households).select_related("household")
    found: dict[int, Duplicate] = {}
    for member in candidates.order_by("household_id", "id"):
        for values in wanted:
            reason = _match_reason(values, member)
            if reason:
                duplicate = found.setdefault(member.household_id, Duplicate(household=member.household))
                if member not in duplicate.members:
                    duplicate.members.append(member)
                duplicate.reasons.add(reason)
    return list(found.values())


def household_error_items(form, formset) -> list[tuple[str, str]]:
    """(anchor, message) of every error of a household page, in the page's order: the household's
    fields, then each person's (named: "Personne 2 (MARTIN Léa), date de naissance : ..."), then the
    remaining fields (the new household's situation and pathway)."""
    items = [("", message) for message in form.non_field_errors()] if form.is_bound else []
    fields = list(form.fields)
    split = fields.index("confidential") + 1
    items += _field_items(form, fields[:split])
    if formset.is_bound:
        items += [("membres", message) for message in formset.non_form_errors()]
        for index, member in enumerate(formset.forms):
            person = person_label(index, member)
            items += [(f"{member.prefix}-legende", f"{person} : {message}") for message in member.non_field_errors()]
            for name in member.fields:
                for message in member.errors.get(name, []):
                    items.append((member[name].auto_id, f"{person}, {member[name].label.lower()} : {message}"))
    items += _field_items(form, fields[split:])
    return items


def _field_items(form, names) -> list[tuple[str, str]]:
    if not form.is_bound:
        return []
    return [
        (form[name].auto_id, f"{form[name].label} : {message}")
        for name in names
        for message in form.errors.get(name, [])
    ]
