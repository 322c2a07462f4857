"""The steering team's forms for the panorama: a project, an edition, and a CSV to import."""

from django import forms

from guichet.observatory.models import DigitalProject, InclusionCriterion, PanoramaEdition, ProjectPhase
from guichet.observatory.panorama.services import PROJECT_FIELDS
from guichet.procedures.models import Procedure
from guichet.www.date_entry import DateEntryField

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class HttpsURLField(forms.URLField):
    """An address typed without its scheme is read as https://."""

    def __init__(self, **kwargs):
        super().__init__(assume_scheme="https", **kwargs)


class DigitalProjectForm(forms.ModelForm):
    procedures = forms.ModelMultipleChoiceField(
        label="Démarches de Guichet que le projet sert",
        queryset=Procedure.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Facultatif : les démarches publiées dans Guichet auxquelles le projet contribue.",
    )

    class Meta:
        model = DigitalProject
        fields = ["organisation", *(name for name in PROJECT_FIELDS if name != "organisation")]
        # French decimals: « 9,5 » (a point is read too).
        localized_fields = [
            "duration_initial_years",
            "duration_current_years",
            "cost_initial_meur",
            "cost_current_meur",
        ]
        field_classes = {
            "start_date": DateEntryField,
            "link": HttpsURLField,
            "performance_plan_link": HttpsURLField,
        }

    def __init__(self, *args, organisations, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
        self.fields["procedures"].queryset = procedures
        self.fields["phase"].choices = [("", "Choisissez la phase"), *ProjectPhase.choices]
        self.fields["inclusion_criterion"].choices = [("", "Choisissez le critère"), *InclusionCriterion.choices]
        if self.instance.pk:
            self.fields["procedures"].initial = list(self.instance.procedures.values_list("pk", flat=True))


class PanoramaEditionForm(forms.ModelForm):
    published_on = DateEntryField(label="Date de publication")

    class Meta:
        model = PanoramaEdition
        fields = ["organisation", "title", "published_on"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
        if self.instance.pk:
            del self.fields["organisation"]


class PanoramaImportForm(forms.Form):
    organisation = forms.ModelChoiceField(label="Organisation", queryset=None, empty_label=None)
    file = forms.FileField(
        label="Fichier CSV",
        help_text="UTF-8, séparateur virgule ou point-virgule, une ligne d’en-tête avec les noms de colonnes "
        "des données ouvertes du panorama (au moins ministere_porteur, ministere_nom, projet, phase et "
        "critere_inclusion). Taille maximale : 2 Mo.",
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("Le fichier dépasse 2 Mo : découpez-le.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("Le fichier n’est pas en UTF-8 : enregistrez-le en « CSV UTF-8 ».") from None
