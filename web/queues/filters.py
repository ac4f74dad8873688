"""The filters and sorts of the coordinators' queues (the page and its exports share them)."""

import datetime
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.cache import cache
from django.db.models import Exists, OuterRef

from accounts.models import User
from pathways.enums import HOUSED_STAGES, PRE_HOUSING_STAGES, Composition, SituationGroup, Stage, situations_in_group
from pathways.models import Pathway
from territories.collation import french_sorted, sort_choices_in_french
from territories.forms import CommuneField
from territories.models import Commune, Epci, Structure
from web.forms.widgets import FastSelect
from web.queues.rows import STALLED_Q

# The structures a coordinator's queue offers as a filter (the referent structures of the pathways of the
# territory) are read once a minute per territory: at 1,000,000 pathways that read scans every pathway of
# the territory (about 170 ms for a département of 400,000). A structure whose first pathway of the
# territory was just opened is offered within that minute (docs/coordination.md).
STRUCTURE_CHOICES_SECONDS = 60

YES_NO = [("oui", "Oui"), ("non", "Non")]

# Sorts by the database (`stage_on` is indexed with the stage); the pk keeps pages stable on ties.
SORTS = {
    "attente_desc": ("stage_on", "pk"),
    "attente_asc": ("-stage_on", "-pk"),
    "priorite_desc": ("-dalo", "stage_on", "pk"),
    "priorite_asc": ("dalo", "-stage_on", "-pk"),
}
SORT_CHOICES = [
    ("attente_desc", "Attente, la plus longue d'abord"),
    ("attente_asc", "Attente, la plus courte d'abord"),
    ("priorite_desc", "Priorité : DALO d'abord, puis attente la plus longue"),
    ("priorite_asc", "Priorité inversée : hors DALO d'abord, puis attente la plus courte"),
]
DEFAULT_SORT = "attente_desc"
# The waiting queue offers every stage but the housed ones, which have their own follow-up list.
WAITING_CHOICES = [(value, label) for value, label in Stage.choices if value not in HOUSED_STAGES]
HOUSED_CHOICES = [(value, label) for value, label in Stage.choices if value in HOUSED_STAGES]


class CommuneFilter(django_filters.Filter):
    """The caseworkers' commune field: a name or an INSEE code (an arrondissement stands for its
    commune), with suggestions as one types."""

    field_class = CommuneField


class DaysFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class QueueFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("attente_min"), cleaned.get("attente_max")
        if low is not None and high is not None and low > high:
            self.add_error("attente_max", "L'attente maximale doit être supérieure ou égale à l'attente minimale.")
        return cleaned


class QueueFilterSet(django_filters.FilterSet):
    etape = django_filters.ChoiceFilter(
        widget=FastSelect,
        label="Étape",
        choices=Stage.choices,
        empty_label="Toutes les étapes en cours",
        method="filter_stage",
    )
    structure = django_filters.ModelChoiceFilter(
        widget=FastSelect,
        label="Structure référente",
        field_name="referent_structure",
        queryset=Structure.objects.none(),
        empty_label="Toutes les structures",
    )
    referent = django_filters.ModelChoiceFilter(
        widget=FastSelect,
        label="Référent ou référente",
        field_name="caseworker",
        queryset=User.objects.none(),
        empty_label="Toutes les personnes",
    )
    commune = CommuneFilter(label="Commune", field_name="commune")
    epci = django_filters.ModelChoiceFilter(
        widget=FastSelect,
        label="EPCI",
        field_name="commune__epci",
        queryset=Epci.objects.none(),
        empty_label="Tous les EPCI du territoire",
    )
    situation = django_filters.ChoiceFilter(
        widget=FastSelect,
        label="Situation actuelle",
        choices=SituationGroup.choices,
        empty_label="Toutes les situations",
        method="filter_situation",
    )
    dalo = django_filters.ChoiceFilter(
        widget=FastSelect, label="DALO", choices=YES_NO, empty_label="Avec ou sans DALO", method="filter_yes_no"
    )
    composition = django_filters.ChoiceFilter(
        widget=FastSelect,
        label="Composition du ménage",
        field_name="household_composition",
        choices=Composition.choices,
        empty_label="Toutes les compositions",
    )
    attente_min = DaysFilter(
        label="Attente minimale (jours)", method="filter_waiting_min", min_value=0, max_value=36500
    )
    attente_max = DaysFilter(
        label="Attente maximale (jours)", method="filter_waiting_max", min_value=0, max_value=36500
    )
    bloques = django_filters.BooleanFilter(
        label="Parcours bloqués seulement",
        method="filter_stalled",
        widget=forms.CheckboxInput,
    )
    tri = django_filters.ChoiceFilter(
        widget=FastSelect, label="Trier par", choices=SORT_CHOICES, empty_label=None, method="filter_sort"
    )

    class Meta:
        model = Pathway
        fields: list[str] = []
        form = QueueFilterForm

    def __init__(self, data=None, queryset=None, *, request, today: datetime.date, housed: bool = False):
        super().__init__(data, queryset, request=request)
        self.today = today
        # Two lists share these filters: the waiting queue (pathways waiting for a step, or closed ones
        # when asked by stage) and the follow-up of housed households (entry and tenancy sustainment).
        self.housed = housed
        if housed:  # before the form is built from the filters (on first use of self.form)
            del self.filters["bloques"]
        self.filters["etape"].extra["choices"] = HOUSED_CHOICES if housed else WAITING_CHOICES
        if housed:
            self.filters["etape"].extra["empty_label"] = "Toutes les étapes du logement"
        user = request.user
        visible = Pathway.objects.visible_to(user)
        structures = referent_structure_choices(user, visible)
        self.filters["structure"].queryset = Structure.objects.filter(pk__in=[pk for pk, _name in structures])
        self.filters["referent"].queryset = User.objects.filter(
            Exists(visible.filter(caseworker=OuterRef("pk")))
        ).order_by("last_name", "first_name")
        communes = Commune.objects.filter(epci=OuterRef("pk"))
        if not user.is_superuser:
            communes = communes.filter(user.territory_q())
        self.filters["epci"].queryset = Epci.objects.filter(Exists(communes)).order_by("name")
        self.form.fields["tri"].required = False
        # As French readers sort: "Équipe" among the E, not after "Zénith" (the database sorts by bytes).
        # The options from the kept list, not from the queryset (which only validates a choice): 2,000
        # structures in a département cost 40 ms to build as model instances on every page.
        self.form.fields["structure"].widget.choices = [("", self.form.fields["structure"].empty_label), *structures]
        sort_choices_in_french(self.form.fields["epci"])
        if not housed:
            self.form.fields["bloques"].required = False

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.housed:
            queryset = queryset.filter(stage__in=HOUSED_STAGES)
        elif not self.form.cleaned_data.get("etape") and not self.form.cleaned_data.get("bloques"):
            # The stages waiting for a step, named rather than "neither housed nor closed": the queue index
            # (commune, stage) then reads only their entries (at 1,000,000 pathways, 167,000 of a
            # département's 400,000; the count in 26 ms instead of 74). Not with the stalled filter, whose
            # pathways are pre-housing already: the same condition twice makes PostgreSQL misjudge how
            # many rows it keeps and read every entry of the territory (the count in 70 ms instead of 40).
            queryset = queryset.filter(stage__in=PRE_HOUSING_STAGES)
        return queryset.order_by(*SORTS[self.form.cleaned_data.get("tri") or DEFAULT_SORT])

    @property
    def current_sort(self) -> str:
        return (self.form.cleaned_data.get("tri") if self.form.is_valid() else None) or DEFAULT_SORT

    def filter_stage(self, queryset, name, value):
        return queryset.filter(stage=value)

    def filter_situation(self, queryset, name, value):
        return queryset.filter(current_situation__in=situations_in_group(value))

    def filter_yes_no(self, queryset, name, value):
        return queryset.filter(**{name: value == "oui"})

    def filter_waiting_min(self, queryset, name, value):
        return queryset.filter(stage_on__lte=self.today - datetime.timedelta(days=int(value)))

    def filter_waiting_max(self, queryset, name, value):
        return queryset.filter(stage_on__gte=self.today - datetime.timedelta(days=int(value)))

    def filter_stalled(self, queryset, name, value):
        return queryset.filter(STALLED_Q) if value else queryset

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last, in filter_queryset, after every filter


def referent_structure_choices(user, visible) -> list[tuple[int, str]]:
    """The referent structures of the pathways `visible` holds for `user`, as (id, name) in French order; for
    a coordinator, whose territories decide what is visible, kept STRUCTURE_CHOICES_SECONDS for the same
    territories (a structure renamed shows its new name within that minute too)."""

    def read() -> list[tuple[int, str]]:
        ids = visible.order_by().values("referent_structure_id").distinct()
        return french_sorted(Structure.objects.filter(pk__in=ids).values_list("pk", "name"), key=lambda row: row[1])

    if not user.is_coordinator:
        return read()
    key = "queues:structures:" + ",".join(sorted(user.territories.split()))
    choices = cache.get(key)
    if choices is None:
        choices = read()
        cache.set(key, choices, STRUCTURE_CHOICES_SECONDS)
    return choices


def active_filters(filterset, pairs: list[tuple[str, str]], *, reset_url: str) -> list[dict]:
    """The filters in force, each with a link to the same list without it (the sort is not a filter).
    Removing the last one goes through `reset_url`, so that the stored copy is cleared too instead of
    coming back."""
    if not filterset.is_valid():
        return []
    tags = []
    for name, field in filterset.form.fields.items():
        value = filterset.form.cleaned_data.get(name)
        if name == "tri" or value in (None, "", False):
            continue
        if name == "bloques":
            text = field.label
        else:
            plain_choices = isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField)
            shown = dict(field.choices).get(value, value) if plain_choices else value
            text = f"{field.label} : {shown}"
        rest = [(key, item) for key, item in pairs if key != name]
        tags.append({"name": name, "label": text, "url": "?" + urlencode(rest) if rest else reset_url})
    return tags
