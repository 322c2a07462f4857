from datetime import datetime
from typing import Any

from django import forms

from guichet.dossiers.models import DossierState, TransitionLog, TransitionName
from guichet.dossiers.search import accents_fold
from guichet.dossiers.workflow import transitions_allowed
from guichet.instruction.lists import TAB_ALIASES, ListOrder, Tab
from guichet.instruction.models import NotificationMode
from guichet.procedures.definition import FieldType, FormDefinition, FormField
from guichet.www.date_entry import DateEntryField


class ListFiltersForm(forms.Form):
    """The filters above a list (GET). Wrong values are dropped with a message, never a crash."""

    # A former tab's value (a bookmark) still leads to its tab.
    onglet = forms.ChoiceField(
        choices=[*Tab.choices, *((old, tab.label) for old, tab in TAB_ALIASES.items())], required=False
    )
    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    etat = forms.ChoiceField(label="État", choices=[("", "Tous les états"), *DossierState.choices[1:]], required=False)
    groupe = forms.TypedChoiceField(label="Groupe instructeur", coerce=int, required=False, empty_value=None)
    etiquette = forms.TypedChoiceField(label="Étiquette", coerce=int, required=False, empty_value=None)
    mes = forms.BooleanField(label="Seulement les dossiers dont j’ai la charge", required=False)
    du = DateEntryField(label="Déposés à partir du", required=False)
    au = DateEntryField(label="jusqu’au", required=False)
    tri = forms.ChoiceField(label="Ordre", choices=ListOrder.choices, required=False)
    apres = forms.CharField(required=False, max_length=100)
    champ = forms.ChoiceField(label="Réponse à la question", required=False)
    valeur = forms.CharField(
        label="Réponse",
        help_text="Pour un choix, l’option telle qu’affichée ; pour une question oui/non, « oui » ou « non » ; "
        "pour une adresse, la commune.",
        required=False,
        max_length=200,
    )

    def __init__(self, *args, groups=(), labels=(), answer_fields: list[FormField] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groupe"].choices = [("", "Tous mes groupes"), *((group.pk, group.name) for group in groups)]
        self.fields["etiquette"].choices = [("", "Toutes"), *((label.pk, label.name) for label in labels)]
        self.answer_fields = {field.id: field for field in answer_fields}
        self.fields["champ"].choices = [("", "Toutes"), *((field.id, field.label) for field in answer_fields)]

    def clean(self):
        data = super().clean()
        field = self.answer_fields.get(data.get("champ") or "")
        text = (data.get("valeur") or "").strip()
        data["reponse"] = None
        if field is not None and text:
            value = answer_value(field, text)
            if value is None:
                self.add_error("valeur", f"« {text} » n’est pas une réponse possible à « {field.label} ».")
            else:
                data["reponse"] = (field.id, value)
        return data


# The answers a list can be filtered on: one value each, at the top of the form.
_FILTERABLE = {
    FieldType.TEXT,
    FieldType.INTEGER,
    FieldType.DATE,
    FieldType.YES_NO,
    FieldType.CHECKBOX,
    FieldType.CHOICE,
    FieldType.MULTIPLE_CHOICE,
    FieldType.EMAIL,
    FieldType.PHONE,
    FieldType.ADDRESS,
    FieldType.SIRET,
}
_YES, _NO = {"oui", "o", "vrai", "coche", "cochee"}, {"non", "n", "faux", "non coche", "non cochee"}


def answer_fields(form: FormDefinition) -> list[FormField]:
    """The questions of a form whose answers filter a list, in the form's order."""
    return [field for page in form.pages for field in page.fields if field.type in _FILTERABLE]


def _folded(text: str) -> str:
    return accents_fold(text).casefold().strip()


def answer_value(field: FormField, text: str) -> Any | None:
    """What the answers store for `text` typed by an instructor as an answer to `field`; None when
    no answer to it can be that. Options are found by their label or their code."""
    if field.type in {FieldType.YES_NO, FieldType.CHECKBOX}:
        folded = _folded(text)
        return True if folded in _YES else False if folded in _NO else None
    if field.type in {FieldType.CHOICE, FieldType.MULTIPLE_CHOICE}:
        option = next(
            (option.value for option in field.options if _folded(text) in {_folded(option.label), option.value}),
            text if field.allow_other else None,
        )
        if option is None:
            return None
        return [option] if field.type == FieldType.MULTIPLE_CHOICE else option
    if field.type == FieldType.INTEGER:
        try:
            return int(text.replace(" ", "").replace("\u202f", ""))
        except ValueError:
            return None
    if field.type == FieldType.ADDRESS:
        return {"city": text}
    if field.type == FieldType.DATE:
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.strptime(text, pattern).date().isoformat()  # noqa: DTZ007 (a day, no time)
            except ValueError:
                continue
        return None
    return text


class DecisionForm(forms.Form):
    """One of the instructor's steps on a dossier, with its motivation when the step needs one."""

    decision = forms.ChoiceField(
        label="Action",
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une action.", "invalid_choice": "Cette action n’est pas possible."},
    )
    motivation = forms.CharField(
        label="Motivation",
        help_text="Obligatoire pour une demande de correction, un refus, un classement sans suite ou une "
        "réouverture ; elle est envoyée à l’usager.",
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, available: list[TransitionName], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(name.value, name.label) for name in available]


def decisions_available(state: str) -> list[TransitionName]:
    """The instructor's buttons for a dossier in `state`: what the workflow's table allows them."""
    return [transition.name for transition in transitions_allowed(state, TransitionLog.ActorRole.INSTRUCTOR)]


class ExpertInviteForm(forms.Form):
    email = forms.EmailField(
        label="Adresse électronique de l’expert",
        error_messages={"required": "Indiquez l’adresse de l’expert.", "invalid": "Cette adresse n’est pas valide."},
    )
    question = forms.CharField(
        label="Question posée",
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez la question posée à l’expert."},
    )
    ask_yes_no = forms.BooleanField(label="Demander aussi une réponse par oui ou par non", required=False)
    confidential = forms.BooleanField(
        label="Avis confidentiel",
        help_text="Réservé aux instructeurs du dossier.",
        required=False,
    )


class LabelsForm(forms.Form):
    etiquettes = forms.CharField(
        label="Étiquettes",
        help_text="Séparées par des virgules ; une étiquette nouvelle est créée pour toute la démarche.",
        required=False,
        max_length=1_000,
    )

    def names(self) -> list[str]:
        return [name for name in self.cleaned_data["etiquettes"].split(",") if name.strip()]


class AssignForm(forms.Form):
    instructeur = forms.TypedChoiceField(label="Instructeur en charge", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, instructors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instructeur"].choices = [("", "Personne en particulier"), *((u.pk, str(u)) for u in instructors)]


class NotificationForm(forms.Form):
    mode = forms.ChoiceField(
        label="Être prévenu par courriel des nouveaux dossiers, messages, corrections et avis",
        choices=NotificationMode.choices,
        widget=forms.RadioSelect,
    )


class InvoiceRecipientForm(forms.Form):
    """The buyer's service code and commitment number, as the company gives them (Chorus Pro
    routes an invoice to the buyer's service by them)."""

    service_code = forms.CharField(
        label="Code service du destinataire",
        help_text="Le code du service de l’entreprise qui traite la facture sur Chorus Pro (s’il en exige un).",
        max_length=100,
        required=False,
    )
    order_number = forms.CharField(
        label="Numéro d’engagement",
        help_text="Le numéro de bon de commande ou d’engagement que l’entreprise demande de porter.",
        max_length=50,
        required=False,
    )
