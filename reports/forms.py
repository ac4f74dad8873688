import re

from django import forms
from django.utils import timezone

from reports.catalogue import CATALOGUE
from reports.enums import PeriodKind
from reports.models import user_scope
from reports.periods import FIRST_DAY, period_error
from reports.perms import territory_within
from reports.services import period_bounds
from territories.collation import french_sorted
from territories.forms import CommuneField
from territories.territory import Territory

FIRST_YEAR = FIRST_DAY.year


def scope_choices(user) -> list[tuple[str, str]]:
    """The user's territory and the sub-territories one can pick in a list: départements and EPCI of a
    région, EPCI of a département, régions and départements of France (communes are typed by code)."""
    from territories.models import Departement, Epci, Region

    scope = user_scope(user)
    if scope is None:
        return []
    choices = [(scope.key, f"{scope.name} (territoire entier)")]
    if scope.kind == "france":
        choices += [
            (f"region:{r.code}", f"Région {r.name}") for r in french_sorted(Region.objects.all(), key=lambda r: r.name)
        ]
        choices += [(f"departement:{d.code}", f"{d.code} — {d.name}") for d in Departement.objects.order_by("code")]
    elif scope.kind == "region":
        departements = Departement.objects.filter(region_id=scope.code).order_by("code")
        choices += [(f"departement:{d.code}", f"{d.code} — {d.name}") for d in departements]
    if scope.kind in ("region", "departement"):
        epcis = french_sorted(Epci.objects.filter(communes__in=scope.communes()).distinct(), key=lambda e: e.name)
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
                elif error := period_error(start, end):
                    self.add_error("start" if start < FIRST_DAY else "end", error)
                else:
                    data["start_day"], data["end_day"] = start, end
        elif kind:
            data["start_day"], data["end_day"] = period_bounds(kind)
        return data


class TerritoryForm(forms.Form):
    territory = forms.ChoiceField(label="Territoire")
    # The casework's commune field: a name or an INSEE code, with suggestions as one types.
    commune = CommuneField(
        label="Ou une commune",
        required=False,
        help_text="Son nom ou son code INSEE, par exemple « Marseille » ou « 13055 » ; remplace le territoire choisi.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["territory"].choices = scope_choices(user)
        widget = self.fields["commune"].widget
        # reports/_field.html renders this widget itself (datalist, htmx attributes): DSFR class and hint here.
        widget.attrs |= {"class": "fr-input", "aria-describedby": f"{self['commune'].auto_id}-hint"}

    def clean(self):
        data = super().clean()
        scope = user_scope(self.user)
        commune = data.get("commune")
        if commune is not None:
            territory = Territory("commune", commune.code, commune.name)
            if not territory_within(territory, scope):
                self.add_error("commune", f"La commune « {commune.name} » n'est pas dans votre territoire ({scope}).")
            else:
                data["territory_obj"] = territory
        elif data.get("territory") and "commune" not in self.errors:
            from territories.territory import parse_territory

            data["territory_obj"] = parse_territory(data["territory"])
        return data


class BilanRequestForm(TerritoryForm, PeriodForm):
    field_order = ["territory", "commune", "period_kind", "year", "start", "end"]


class FrenchDecimalField(forms.DecimalField):
    """A number as French people type it: "1 500", "12,5" (a point is accepted too)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s\u00a0\u202f]", "", value).replace(",", ".")
        return super().to_python(value)


# Indicators whose figures are whole numbers: their targets are too.
WHOLE_KINDS = ("count", "places")


class TargetForm(TerritoryForm, PeriodForm):
    indicator = forms.ChoiceField(label="Indicateur")
    value = FrenchDecimalField(
        label="Cible",
        max_digits=12,
        decimal_places=1,
        help_text="Un nombre entier de places, de ménages ou de parcours (par exemple 1 500), un taux en % "
        "(par exemple 12,5) ou un nombre de jours.",
    )

    field_order = ["territory", "commune", "indicator", "value", "period_kind", "year", "start", "end"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["indicator"].choices = [(code, indicator.label) for code, indicator in CATALOGUE.items()]

    def clean(self):
        data = super().clean()
        value, indicator = data.get("value"), CATALOGUE.get(data.get("indicator"))
        if value is None or indicator is None:
            return data
        if value <= 0:
            self.add_error("value", "La cible doit être supérieure à 0.")
        elif indicator.kind in WHOLE_KINDS and value != value.to_integral_value():
            self.add_error("value", f"Une cible en {indicator.unit} est un nombre entier, par exemple 1 500.")
        elif indicator.kind == "percent" and value > 100:
            self.add_error("value", "Un taux est compris entre 0 et 100 %.")
        return data
