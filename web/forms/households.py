"""The household form (with its members) and the new-household form that also opens its pathway."""

from dataclasses import dataclass, field

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from pathways.enums import CREATION_STAGES, Composition, Relationship, SituationKind, Stage
from pathways.models import Household, Member, Pathway, normalize_name
from territories.models import Commune, Structure
from web.forms.base import DsfrForm, DsfrFormMixin
from web.forms.communes import CommuneField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HouseholdForm(DsfrForm):
    composition = forms.ChoiceField(label="Composition", choices=[("", "Choisir")] + Composition.choices)
    adults = forms.IntegerField(
        label="Nombre d'adultes", min_value=1, initial=1, error_messages={"min_value": "Au moins un adulte."}
    )
    children = forms.IntegerField(label="Nombre d'enfants", min_value=0, initial=0)
    confidential = forms.BooleanField(
        label="Ménage confidentiel",
        required=False,
        help_text="Par exemple une victime de violences : ses noms ne sont visibles que de sa structure référente.",
    )


class MemberForm(DsfrFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    birth_date = forms.DateField(label="Date de naissance", required=False, widget=DATE_WIDGET)
    relationship = forms.ChoiceField(
        label="Lien avec la personne de référence", choices=Relationship.choices, initial=Relationship.REFERENCE
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


class BaseMemberFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Retirer cette personne"

    def members(self) -> list[dict]:
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

    def clean(self):
        if any(self.errors):
            return
        if not self.members():
            raise forms.ValidationError("Indiquez au moins une personne du ménage.")


MemberFormSet = forms.formset_factory(MemberForm, formset=BaseMemberFormSet, extra=0, min_num=1, can_delete=True)


def member_formset(data=None, *, initial=None, allowed_ids=frozenset(), add_row=False):
    """The members formset; `add_row` re-renders a submitted formset with one more empty row (the
    "Ajouter une personne" button, which works without JavaScript)."""
    if data is not None and add_row:
        data = data.copy()
        key = "members-TOTAL_FORMS"
        data[key] = str(int(data.get(key) or 0) + 1)
    return MemberFormSet(data, initial=initial, prefix="members", form_kwargs={"allowed_ids": allowed_ids})


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
        label="Structure référente", queryset=Structure.objects.none(), empty_label="Choisir"
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
        if user.is_superuser or user.is_coordinator:
            self.fields["structure"].queryset = Structure.objects.order_by("name")
        else:
            self.fields["structure"].queryset = user.structures.order_by("name")

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
