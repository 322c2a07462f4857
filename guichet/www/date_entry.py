"""The back office's date fields (list filters and exports, procedure settings, the builder's date
limits, the observatory's forms) typed as the applicants type theirs: jj/mm/aaaa in a text input
(guichet/procedures/date_entry.py), never the browser's date picker, which shows mm/dd/yyyy to some
and another control in each browser. One date entry, the same for everyone (issue 16)."""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError

from guichet.procedures.date_entry import date_entry_parse

FORMAT_HINT = "Format attendu : jj/mm/aaaa"
INVALID = "Saisissez une date valide, au format jj/mm/aaaa, par exemple 14/07/2026."


def date_french(value: date) -> str:
    return value.strftime("%d/%m/%Y")


class DateEntryInput(forms.TextInput):
    """A text input showing a date as jj/mm/aaaa (a date, or an ISO date kept in a definition)."""

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return value or None  # as the person typed it
        if isinstance(value, date):
            return date_french(value)
        return super().format_value(value)


class DateEntryField(forms.DateField):
    widget = DateEntryInput
    default_error_messages = {"invalid": INVALID}

    def __init__(self, **kwargs):
        # The format first, then what the form says of the field ("Laissez vide pour…").
        kwargs["help_text"] = " ".join(filter(None, [f"{FORMAT_HINT}.", str(kwargs.get("help_text") or "")]))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date_entry_parse(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
