from django import forms

from guichet.dossiers.models import DossierState
from guichet.instruction.models import NotificationMode
from guichet.instruction.selectors import Tab
from guichet.instruction.services import INSTRUCTOR_DECISIONS
from guichet.instruction.workflow import TRANSITIONS, TransitionName


class ListFiltersForm(forms.Form):
    """The filters above a list (GET). Wrong values are dropped with a message, never a crash."""

    onglet = forms.ChoiceField(choices=Tab.choices, required=False)
    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    etat = forms.ChoiceField(label="État", choices=[("", "Tous les états"), *DossierState.choices[1:]], required=False)
    groupe = forms.TypedChoiceField(label="Groupe instructeur", coerce=int, required=False, empty_value=None)
    etiquette = forms.TypedChoiceField(label="Étiquette", coerce=int, required=False, empty_value=None)
    mes = forms.BooleanField(label="Seulement les dossiers dont j’ai la charge", required=False)
    du = forms.DateField(label="Déposés à partir du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="jusqu’au", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tri = forms.ChoiceField(
        label="Ordre",
        choices=[("", "Les plus récents d’abord"), ("anciens", "Les plus anciens d’abord")],
        required=False,
    )
    apres = forms.CharField(required=False, max_length=100)

    def __init__(self, *args, groups=(), labels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groupe"].choices = [("", "Tous mes groupes"), *((group.pk, group.name) for group in groups)]
        self.fields["etiquette"].choices = [("", "Toutes"), *((label.pk, label.name) for label in labels)]


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

    def clean(self):
        data = super().clean()
        name = data.get("decision")
        if name and TRANSITIONS[TransitionName(name)].motivation_required and not data.get("motivation", "").strip():
            self.add_error(
                "motivation", f"Une motivation est obligatoire pour « {TransitionName(name).label.lower()} »."
            )
        return data


def decisions_available(state: str) -> list[TransitionName]:
    return [name for name in INSTRUCTOR_DECISIONS if state in TRANSITIONS[name].sources]


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
