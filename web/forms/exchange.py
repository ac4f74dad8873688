"""Forms of the exchange pages: upload a folder to import, choose what to export."""

from django import forms

from pathways.exchange.jobs import max_bytes, megabytes
from reports.forms import TerritoryForm
from web.forms.base import DsfrForm, DsfrFormMixin


class ImportUploadForm(DsfrForm):
    file = forms.FileField(
        label="Fichier à importer",
        widget=forms.FileInput(attrs={"accept": ".zip,.csv"}),
        # The service refuses an empty file, naming it.
        allow_empty_file=True,
        error_messages={"required": "Choisissez le fichier à importer."},
    )
    dry_run = forms.BooleanField(
        label="Simulation seulement",
        required=False,
        help_text="Tout vérifier et compter sans rien écrire.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "fr-upload"
        self.fields["file"].help_text = (
            f"L'archive .zip du dossier d'échange, ou un seul de ses fichiers (par exemple structures.csv) ; "
            f"{megabytes(max_bytes())} au plus."
        )
        self.fields["file"].widget.attrs["aria-describedby"] = self._hint_id("file")


class ExportForm(DsfrFormMixin, TerritoryForm):
    """A territory of the user's scope; only a superuser may ask for names and birth dates (an
    administrator sees no names, roles.md)."""

    with_personal_data = forms.BooleanField(
        label="Avec données personnelles",
        required=False,
        help_text="Écrire aussi les noms, prénoms et dates de naissance des personnes de référence.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if not user.is_superuser:
            del self.fields["with_personal_data"]
