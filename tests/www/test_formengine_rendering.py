"""The fields rendered by Jinja2 (www/formengine/rendering.py) write what Django's templates write:
values escaped as Django escapes them, Django's filters, each template's last line break; an unknown
variable is an error; the only values the templates see are those given."""

import jinja2
import pytest
from django.template import Context, Template
from django.utils.html import conditional_escape

from guichet.procedures.definition import FormDefinition
from guichet.www.formengine.pages import page_view
from guichet.www.formengine.rendering import _ENVIRONMENT, fields_html

HOSTILE = "<script>alert('x')</script> & \"guillemets\""


def view_of(fields: list[dict], raw: dict, errors: dict | None = None):
    form = FormDefinition.model_validate({"pages": [{"id": "p", "title": "Page", "fields": fields}]})
    page = form.pages[0]
    return page_view(page, 1, raw, raw, errors or {})


def test_values_are_escaped_as_django_escapes_them():
    view = view_of(
        [{"id": "nom", "type": "text", "label": HOSTILE, "help": HOSTILE, "required": True}],
        {"nom": HOSTILE},
        {"nom": HOSTILE},
    )
    html = fields_html(view, form_action="/p/1/?a='b'&c=d")
    assert "<script>" not in html
    escaped = str(conditional_escape(HOSTILE))
    assert f'value="{escaped}"' in html
    assert html.count(escaped) == 4  # the label, its help, the value and the error


def test_django_filters_write_what_they_write_in_django():
    cases = {
        "{{ v|join(', ') }}": ("{{ v|join:', ' }}", ["a<b", "c'd"]),
        "{{ v|linebreaksbr }}": ("{{ v|linebreaksbr }}", "un\n<deux>"),
        "{{ v|default_if_none('vide') }}": ("{{ v|default_if_none:'vide' }}", None),
        "{{ v }}": ("{{ v }}", None),
    }
    for jinja_source, (django_source, value) in cases.items():
        expected = Template(django_source).render(Context({"v": value}))
        assert _ENVIRONMENT.from_string(jinja_source).render(v=value) == expected, jinja_source


def test_an_unknown_variable_is_an_error_and_the_last_line_break_is_kept():
    with pytest.raises(jinja2.UndefinedError):
        _ENVIRONMENT.from_string("{{ inconnu }}").render()
    template = _ENVIRONMENT.get_template("formengine/widgets/_error.html")
    assert template.render(field={"error": ""}) == "\n"
