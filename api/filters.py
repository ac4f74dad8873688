"""The filters of the pathway list, named as on the coordinators' queues (web/queues/filters.py)."""

import django_filters
from django import forms
from django.utils import timezone

from pathways.enums import CLOSED_STAGES, SituationGroup, Stage, situations_in_group
from pathways.models import Pathway


class StrictBooleanField(forms.Field):
    """true or false; anything else is refused (400) rather than read as "no filter"."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).lower()
        if text not in ("true", "false"):
            raise forms.ValidationError("Valeur attendue : true ou false.")
        return text == "true"


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class StrictFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            if name in self.data and "" in self.data.getlist(name):
                self.add_error(name, "Valeur vide : donnez une valeur ou retirez le paramètre.")
        return cleaned


class PathwayFilterSet(django_filters.FilterSet):
    etape = django_filters.MultipleChoiceFilter(field_name="stage", choices=Stage.choices, label="Étape(s)")
    structure = django_filters.NumberFilter(field_name="referent_structure_id", label="Structure référente (id)")
    commune = django_filters.CharFilter(field_name="commune_id", label="Commune du parcours (code INSEE)")
    epci = django_filters.CharFilter(field_name="commune__epci_id", label="EPCI (SIREN)")
    dalo = StrictBooleanFilter(field_name="dalo", label="DALO")
    ouvert = StrictBooleanFilter(method="filter_open", label="En cours (vrai) ou clos (faux)")
    bloques = StrictBooleanFilter(method="filter_stalled", label="Bloqués (domain.md) seulement")
    situation = django_filters.ChoiceFilter(
        choices=SituationGroup.choices, method="filter_situation", label="Groupe de la situation actuelle"
    )
    modifie_depuis = django_filters.DateFilter(
        field_name="last_activity_on", lookup_expr="gte", label="Dernière activité à partir du (AAAA-MM-JJ)"
    )

    class Meta:
        model = Pathway
        fields: list[str] = []
        form = StrictFilterForm

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(stage__in=CLOSED_STAGES) if value else queryset.filter(stage__in=CLOSED_STAGES)

    def filter_stalled(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=Pathway.objects.stalled(on=timezone.localdate()).values("pk"))

    def filter_situation(self, queryset, name, value):
        # The latest situation of the pathway is of the group (as the queues' filter).
        return queryset.filter(current_situation__in=situations_in_group(value))
