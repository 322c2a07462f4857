"""A Django form field in the state design system's markup (label, hint, the field, its error tied
to it for screen readers), written in Python.

It was a template (`layout/field.html`, with widget_tweaks) that rendered each widget through
Django's widget templates, one more template per option of a list: the ten filters above an
instructor's list took a tenth of the page's time. The markup is the same; the common widgets
(inputs, check boxes, lists, text areas) are written here exactly as Django's templates write them
(a test compares both), the others are left to Django."""

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> SafeString:
    """The attributes as django/forms/widgets/attrs.html writes them."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _select(widget: dict) -> SafeString:
    parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            parts.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n', option["value"], _attrs(option["attrs"]), option["label"]
                )
            )
        if group_name:
            parts.append(mark_safe("\n  </optgroup>"))  # noqa: S308 (a constant)
    parts.append(mark_safe("\n</select>"))  # noqa: S308 (a constant)
    return mark_safe("".join(parts))  # noqa: S308 (each part is escaped)


def widget_html(field: BoundField, attrs: dict | None = None) -> SafeString:
    """The field's widget with `attrs` added, as `BoundField.as_widget` renders it."""
    widget = field.field.widget
    given = attrs or {}
    attrs = field.build_widget_attrs(given, widget)
    if "aria-describedby" not in given:
        # Django's points to the hint of its own templates, which this markup names otherwise.
        attrs.pop("aria-describedby", None)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    if field.field.localize:
        widget.is_localized = True
    # Each widget class below is written as its Django template writes it; a subclass may have its own.
    kind = type(widget)
    if kind not in _WRITTEN:
        return widget.render(field.html_name, field.value(), attrs, field.form.renderer)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if kind is forms.Select:
        return _select(context)
    if kind is forms.Textarea:
        value = context["value"]
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>', context["name"], _attrs(context["attrs"]), value if value else ""
        )
    value = context["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        context["type"],
        context["name"],
        format_html(' value="{}"', value) if value is not None else "",
        _attrs(context["attrs"]),
    )


_WRITTEN = {
    forms.TextInput,
    forms.EmailInput,
    forms.PasswordInput,
    forms.NumberInput,
    forms.URLInput,
    forms.SearchInput,
    forms.TelInput,
    forms.DateInput,
    forms.HiddenInput,
    forms.CheckboxInput,
    forms.Select,
    forms.Textarea,
}


def choice_input_html(choice) -> SafeString:
    """The <input> of one option of a radio or checkbox list (a BoundWidget), written directly:
    Django's widget templates take a template rendering per option."""
    data = choice.data
    return format_html(
        '<input type="{}" name="{}" value="{}" id="{}"{}{}>',
        data["type"],
        data["name"],
        "" if data["value"] is None else data["value"],
        choice.id_for_label,
        mark_safe(" checked") if data["selected"] else "",  # noqa: S308 (a constant)
        mark_safe(" required") if data["attrs"].get("required", False) else "",  # noqa: S308 (a constant)
    )


def _hint(field: BoundField) -> SafeString:
    return mark_safe(field.help_text)  # noqa: S308 (the hints are our forms' own texts, some with markup)


def _label_text(field: BoundField) -> SafeString:
    hint = format_html('<span class="fr-hint-text">{}</span>', _hint(field)) if field.help_text else ""
    return format_html("{}{}", field.label, format_html("\n      {}", hint) if hint else "")


def field_html(field: BoundField) -> SafeString:
    """One form field, DSFR style: label, hint, and the error next to the field, tied to it for
    screen readers. Check boxes, radio buttons, lists and file inputs get their own DSFR markup."""
    widget = field.field.widget
    errors = mark_safe(" ".join(conditional_escape(error) for error in field.errors))  # noqa: S308 (each escaped)
    error_id = f"{field.auto_id}-erreur"
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="fr-checkbox-group fr-mb-3w{}">\n    {}\n    <label class="fr-label" for="{}">{}\n'
            "    </label>\n    {}\n  </div>",
            " fr-checkbox-group--error" if errors else "",
            widget_html(field, {"aria-describedby": error_id} if errors else None),
            field.id_for_label,
            _label_text(field),
            format_html('<p id="{}" class="fr-error-text">{}</p>', error_id, errors) if errors else "",
        )
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        group = "fr-radio-group" if isinstance(widget, forms.RadioSelect) else "fr-checkbox-group"
        options = format_html_join(
            "",
            '\n      <div class="fr-fieldset__element">\n        <div class="{}">\n          {}\n'
            '          <label class="fr-label" for="{}">{}</label>\n        </div>\n      </div>',
            ((group, choice_input_html(choice), choice.id_for_label, choice.choice_label) for choice in field),
        )
        return format_html(
            '<fieldset class="fr-fieldset{}" id="{}"{}>\n    <legend class="fr-fieldset__legend fr-text--regular" '
            'id="{}-legende">{}\n    </legend>{}\n    {}\n  </fieldset>',
            " fr-fieldset--error" if errors else "",
            field.auto_id,
            format_html(' aria-labelledby="{}-legende {}"', field.auto_id, error_id) if errors else "",
            field.auto_id,
            _label_text(field),
            options,
            format_html(
                '<div class="fr-messages-group"><p id="{}" class="fr-message fr-message--error">{}</p></div>',
                error_id,
                errors,
            )
            if errors
            else "",
        )
    is_select = isinstance(widget, forms.Select)
    is_file = isinstance(widget, forms.FileInput)
    group = "fr-select-group" if is_select else "fr-upload-group" if is_file else "fr-input-group"
    if errors:
        group += " fr-select-group--error" if is_select else " fr-input-group--error"
    if is_select:
        attrs = {"class": "fr-select fr-select--error", "aria-invalid": "true"} if errors else {"class": "fr-select"}
    elif is_file:
        attrs = {"class": "fr-upload"}
    else:
        attrs = {"class": "fr-input fr-input--error", "aria-invalid": "true"} if errors else {"class": "fr-input"}
    # The hint and the error, read out with the field (Django's own `aria-describedby` names an
    # element of its templates, not of this markup).
    described = [f"{field.auto_id}-aide"] if field.help_text else []
    described += [error_id] if errors else []
    if described:
        attrs["aria-describedby"] = " ".join(described)
    hint = (
        format_html('\n      <span class="fr-hint-text" id="{}-aide">{}</span>', field.auto_id, _hint(field))
        if field.help_text
        else ""
    )
    return format_html(
        '<div class="{}">\n    <label class="fr-label" for="{}">{}{}{}\n    </label>\n    {}\n    {}\n  </div>',
        group,
        field.id_for_label,
        field.label,
        mark_safe(' <span aria-hidden="true">*</span>') if field.field.required else "",  # noqa: S308 (a constant)
        hint,
        widget_html(field, attrs),
        format_html('<p id="{}" class="fr-error-text">{}</p>', error_id, errors) if errors else "",
    )
