from django import forms


class SubscriptionForm(forms.Form):
    organisation = forms.ModelChoiceField(label="Organisation abonnée", queryset=None, empty_label=None)
    process_code = forms.CharField(
        label="Code de la démarche HubEE",
        max_length=30,
        help_text="Tel que HubEE le donne, par exemple EtatCivil, depotDossierPACS ou recensementCitoyen.",
    )
    procedure = forms.ModelChoiceField(label="Démarche Guichet où créer les dossiers", queryset=None, empty_label=None)
    client_id = forms.CharField(label="Identifiant client (client_id)", max_length=200)
    client_secret = forms.CharField(
        label="Secret client (client_secret)",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Donné par le portail HubEE pour cette démarche. Conservé chiffré, il n’est plus jamais affiché.",
    )
    data_attachment_type = forms.CharField(
        label="Type de la pièce qui porte les données de la démarche (facultatif)",
        max_length=100,
        required=False,
        help_text="Le type HubEE de la pièce jointe JSON ou XML où les correspondances « data.… » lisent les valeurs.",
    )
    active = forms.BooleanField(label="Relever cette démarche", required=False, initial=True)

    def __init__(self, *args, organisations, procedures, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["procedure"].queryset = procedures
        if editing:
            del self.fields["organisation"]
            del self.fields["process_code"]
            self.fields["client_secret"].help_text = "Laissez vide pour garder le secret enregistré."
        else:
            del self.fields["active"]
            self.fields["client_secret"].required = True


class TransmissionForm(forms.Form):
    process_code = forms.CharField(label="Code de la démarche HubEE", max_length=30)
    recipient_siret = forms.CharField(
        label="SIRET de l’administration destinataire", max_length=14, help_text="14 chiffres, sans espace."
    )
    recipient_branch_code = forms.CharField(
        label="Code de l’organisme destinataire",
        max_length=10,
        help_text="Le code de l’organisme (branchCode) que HubEE associe à ce SIRET, ex. le code INSEE de la commune.",
    )
    client_id = forms.CharField(label="Identifiant client (client_id) du service en ligne", max_length=200)
    client_secret = forms.CharField(
        label="Secret client (client_secret)",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Conservé chiffré ; laissez vide pour garder le secret enregistré.",
    )
    active = forms.BooleanField(label="Transmettre chaque dossier déposé", required=False, initial=True)
