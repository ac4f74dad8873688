from datetime import date

from django import forms
from django.utils import timezone

from reports.catalogue import CATALOGUE
from reports.enums import PeriodKind
from reports.models import user_scope
from reports.perms import territory_within
from reports.services import period_bounds
from territories.territory import Territory

FIRST_YEAR = 2000


def scope_choices(user) -> list[tuple[str, str]]:
    """The user's territory and the sub-territories one can pick in a list: départements and EPCI of a
    région, EPCI of a département, régions and départements of France (communes are typed by code)."""
    from territories.models import Departement, Epci, Region

    scope = user_scope(user)
    if scope is None:
        return []
    choices = [(scope.key, f"{scope.name} (territoire entier)")]
    if scope.kind == "france":
        choices += [(f"region:{r.code}", f"Région {r.name}") for r in Region.objects.order_by("name")]
        choices += [(f"departement:{d.code}", f"{d.code} — {d.name}") for d in Departement.objects.order_by("code")]
    elif scope.kind == "region":
        departements = Departement.objects.filter(region_id=scope.code).order_by("code")
        choices += [(f"departement:{d.code}", f"{d.code} — {d.name}") for d in departements]
    if scope.kind in ("region", "departement"):
        epcis = Epci.objects.filter(communes__in=scope.communes()).distinct().order_by("name")
        choices += [(f"epci:{e.siren}", f"EPCI — {e.name}") for e in epcis]
    return choices


class PeriodForm(forms.Form):
    """A period as the plan counts them: a year, one of the plans, or dates."""

    period_kind = forms.ChoiceField(
        label="Période", choices=PeriodKind.choices, initial=PeriodKind.PLAN_2018_2022, widget=forms.RadioSelect
    )
    year = forms.IntegerField(label="Année", required=False, help_text="Pour un bilan annuel, par exemple 2021.")
    start = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label="Au (inclus)", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        kind = data.get("period_kind")
        if kind == PeriodKind.YEAR:
            year, last_year = data.get("year"), timezone.localdate().year
            if year is None:
                self.add_error("year", "Indiquez l'année du bilan.")
            elif not FIRST_YEAR <= year <= last_year:
                self.add_error("year", f"L'année doit être comprise entre {FIRST_YEAR} et {last_year}.")
            else:
                data["start_day"], data["end_day"] = period_bounds(kind, year=year)
        elif kind == PeriodKind.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", "Indiquez la date de début.")
            if end is None and "end" not in self.errors:
                self.add_error("end", "Indiquez la date de fin.")
            if start and end:
                if end < start:
                    self.add_error("end", "La date de fin précède la date de début.")
                elif start < date(FIRST_YEAR, 1, 1):
                    self.add_error("start", f"La date de début doit être postérieure au 1er janvier {FIRST_YEAR}.")
                else:
                    data["start_day"], data["end_day"] = start, end
        elif kind:
            data["start_day"], data["end_day"] = period_bounds(kind)
        return data


class TerritoryForm(forms.Form):
    territory = forms.ChoiceField(label="Territoire")
    commune = forms.CharField(
        label="Ou une commune",
        required=False,
        max_length=10,
        help_text="Code INSEE, par exemple 13055 pour Marseille ; remplace le territoire choisi.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["territory"].choices = scope_choices(user)

    def clean(self):
        from territories.models import Commune

        data = super().clean()
        scope = user_scope(self.user)
        code = (data.get("commune") or "").strip()
        if code:
            commune = Commune.objects.filter(code=code).first()
            if commune is None:
                self.add_error("commune", f"Aucune commune de code « {code} ».")
            elif not territory_within(Territory("commune", commune.code, commune.name), scope):
                self.add_error("commune", f"La commune « {commune.name} » n'est pas dans votre territoire ({scope}).")
            else:
                data["territory_obj"] = Territory("commune", commune.code, commune.name)
        elif data.get("territory"):
            from territories.territory import parse_territory

            data["territory_obj"] = parse_territory(data["territory"])
        return data


class BilanRequestForm(TerritoryForm, PeriodForm):
    field_order = ["territory", "commune", "period_kind", "year", "start", "end"]


class TargetForm(TerritoryForm, PeriodForm):
    indicator = forms.ChoiceField(label="Indicateur")
    value = forms.DecimalField(
        label="Cible", max_digits=12, decimal_places=1, min_value=0.1, help_text="Par exemple 4000 places."
    )

    field_order = ["territory", "commune", "indicator", "value", "period_kind", "year", "start", "end"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["indicator"].choices = [(code, indicator.label) for code, indicator in CATALOGUE.items()]
