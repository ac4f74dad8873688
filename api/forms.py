from django import forms
from django.conf import settings

from territories.models import Structure
from territories.territory import TerritoryError, parse_territory
from web.forms.base import DsfrForm


class TokenIssueForm(DsfrForm):
    name = forms.CharField(
        label="Nom du logiciel ou du service",
        max_length=100,
        help_text="Par exemple « SI-SIAO du département » : il nomme le jeton dans le journal des accès.",
    )
    structure = forms.ModelChoiceField(
        label="Structure",
        queryset=Structure.objects.none(),
        required=False,
        help_text="Le jeton voit ce que voient les référents de cette structure.",
    )
    territory = forms.CharField(
        label="Ou territoire",
        max_length=40,
        required=False,
        help_text="departement:CODE ou epci:SIREN : le jeton voit ce que voit sa coordination.",
    )
    days = forms.IntegerField(label="Validité (jours)", min_value=1, initial=90)

    def __init__(self, *args, structures, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["structure"].queryset = structures
        self.fields["days"].max_value = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].help_text = f"De 1 à {settings.API_TOKEN_MAX_DAYS} jours."
        self.fields["days"].validators[-1:] = []  # the service says the bound, in its own words

    def clean_territory(self):
        from reports.perms import territory_within

        code = self.cleaned_data["territory"].strip()
        if not code:
            return None
        try:
            territory = parse_territory(code)
        except TerritoryError as error:
            raise forms.ValidationError(str(error)) from None
        if not territory_within(territory, self.scope):
            raise forms.ValidationError(f"{territory.name} est hors de votre territoire.")
        return territory
