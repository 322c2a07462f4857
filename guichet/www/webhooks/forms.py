from django import forms

from guichet.webhooks.models import WebhookEvent


class SubscriptionForm(forms.Form):
    organisation = forms.ModelChoiceField(label="Organisation", queryset=None, empty_label=None)
    procedure = forms.ModelChoiceField(
        label="Démarche",
        queryset=None,
        required=False,
        empty_label="Toutes les démarches de l’organisation",
        help_text="Laissez « Toutes les démarches » pour recevoir les événements de toute l’organisation.",
    )
    url = forms.URLField(
        label="Adresse de réception",
        max_length=500,
        assume_scheme="https",
        help_text="Une adresse https:// publique : les adresses de réseaux internes sont refusées.",
    )
    description = forms.CharField(label="Description (facultatif)", max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label="Événements",
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un événement."},
    )

    def __init__(self, *args, organisations, procedures, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["procedure"].queryset = procedures
        if editing:
            del self.fields["organisation"]
