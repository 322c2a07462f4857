"""A service's refusal shown on the form that asked for it."""

from django import forms
from django.core.exceptions import ValidationError


def form_errors_add(form: forms.Form, error: ValidationError) -> None:
    """Show `error` on `form`: each message beside the field it names, or above the form when it
    names none of the form's fields."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
