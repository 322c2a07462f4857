"""The steering team's forms: the values of the observatory that Guichet does not compute."""

import datetime

from django import forms
from django.core.exceptions import ValidationError

from guichet.observatory.indicators import ZONE_PATTERN
from guichet.observatory.models import Channel, Indicator, ProgrammeEntry
from guichet.observatory.services import ENTRY_FIELDS, INDICATOR_FIELDS
from guichet.www.date_entry import DateEntryField

ZONE_HELP = "FRANCE, une région (R suivi de son code : R53) ou un département (D01, D2A, D971)."


class ProgrammeEntryForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label="Canaux", choices=Channel.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ProgrammeEntry
        fields = list(ENTRY_FIELDS)
        field_classes = {"start_date": DateEntryField, "rgaa_declared_on": DateEntryField}

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
        if self.instance.procedure_id is not None:
            # Computed from the procedure's form (decision 0033): declared only before it is online.
            del self.fields["dlnuf_count"]


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise ValidationError("Indiquez le mois sous la forme AAAA-MM, par exemple 2026-03.") from None


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "AAAA-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        return _month(value) if value else None


class ChannelVolumeForm(forms.Form):
    channel = forms.ChoiceField(label="Canal", choices=Channel.offline())
    month = MonthField(label="Mois", help_text="Au format AAAA-MM, par exemple 2026-03.")
    count = forms.IntegerField(label="Nombre de demandes reçues", min_value=0, max_value=100_000_000)


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)

    def __init__(self, *args, organisations, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
        self.fields["entry"].queryset = entries

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("computation") == "procedure_online_share" and not cleaned.get("entry"):
            self.add_error("entry", "Choisissez la démarche dont la part des demandes en ligne est mesurée.")
        return cleaned


class ZoneField(forms.RegexField):
    def __init__(self, **kwargs):
        super().__init__(
            regex=ZONE_PATTERN,
            label="Zone",
            initial="FRANCE",
            help_text=ZONE_HELP,
            error_messages={"invalid": "Zone inconnue. " + ZONE_HELP},
            **kwargs,
        )

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class IndicatorGoalForm(forms.Form):
    zone = ZoneField()
    initial_value = forms.FloatField(label="Valeur initiale")
    initial_date = DateEntryField(label="Date de la valeur initiale")
    target_value = forms.FloatField(label="Cible")
    target_date = DateEntryField(label="Date de la cible")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("initial_date"), cleaned.get("target_date")
        if start and end and end < start:
            self.add_error("target_date", "La date de la cible doit suivre celle de la valeur initiale.")
        return cleaned


class IndicatorValueForm(forms.Form):
    zone = ZoneField()
    date = DateEntryField(label="Date de la valeur")
    value = forms.FloatField(label="Valeur")
