"""The forms of the archives: a procedure's retention settings (used by the builder too), and a
litigation hold."""

from django import forms

from guichet.archives.retention_settings import IDENTIFIER_MESSAGE
from guichet.procedures.models import FinalFate, Procedure, RetentionStart

_IDENTIFIER_HELP = " Un identifiant d’un seul tenant, sans espace."


def _identifier(name: str, help_text: str, *, required: bool = False) -> forms.CharField:
    field = Procedure._meta.get_field(name)
    return forms.CharField(
        label=str(field.verbose_name).capitalize(),
        max_length=field.max_length,
        required=required,
        help_text=help_text + _IDENTIFIER_HELP,
        error_messages={"invalid": IDENTIFIER_MESSAGE},
    )


class RetentionForm(forms.Form):
    """A procedure's retention settings. The service (archives.retention_settings) checks them
    again and its messages land on the fields."""

    retention_years = forms.IntegerField(
        label="Durée d’utilité administrative (en années)",
        min_value=1,
        max_value=100,
        help_text="Combien de temps l’administration garde les dossiers traités pour ses besoins, de 1 à 100 ans.",
        error_messages={
            "required": "Indiquez la durée d’utilité administrative, en années.",
            "invalid": "Indiquez un nombre entier d’années.",
            "min_value": "La durée d’utilité administrative est d’un an au moins.",
            "max_value": "La durée d’utilité administrative est de 100 ans au plus.",
        },
    )
    retention_start = forms.ChoiceField(
        label="Point de départ de la durée",
        choices=RetentionStart.choices,
        widget=forms.RadioSelect,
        help_text="Pour un dossier retiré par l’usager, la durée part du retrait.",
    )
    final_fate = forms.ChoiceField(
        label="Sort final, à la fin de la durée",
        choices=FinalFate.choices,
        widget=forms.RadioSelect,
        help_text="Détruire passe toujours par un bordereau d’élimination visé par le service d’archives.",
    )
    archival_agreement = _identifier(
        "archival_agreement",
        "L’identifiant du contrat d’entrée que le système d’archivage (Vitam) attend sur chaque versement.",
    )
    originating_agency = _identifier(
        "originating_agency", "Le service qui a produit les dossiers, tel que le référentiel des services le nomme."
    )
    submission_agency = _identifier(
        "submission_agency", "Le service qui verse les dossiers ; laissez vide si c’est le service producteur."
    )
    archival_profile = _identifier("archival_profile", "Facultatif : le profil d’archivage que suivent les paquets.")
    access_rule = _identifier(
        "access_rule",
        "Le code de la règle d’accès du référentiel (AR038 : vie privée, communicable après 50 ans).",
        required=True,
    )


class LitigationHoldForm(forms.Form):
    number = forms.CharField(
        label="Numéro du dossier",
        max_length=20,
        error_messages={"required": "Indiquez le numéro du dossier à geler."},
    )
    reason = forms.CharField(
        label="Motif du gel",
        max_length=300,
        help_text="Par exemple : recours contentieux n° 2401234, tribunal administratif de Lyon.",
        error_messages={"required": "Indiquez le motif du gel."},
    )
