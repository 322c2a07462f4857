"""The fields of a form page and the summary of its answers, rendered by Jinja2
(docs/decisions/0056-applicant-flow-cost.md, fourth amendment): every page of a form, every live
update of its answers and every summary renders them, and Jinja2's compiled templates do it several
times faster than Django's engine, which renders the rest of the page.

The templates are in `guichet/jinja2/formengine/` (`fields.html`, one per field type in `widgets/`,
`summary.html` and its `summary_items.html`).
They write what Django's would: values escaped as Django escapes them, Django's own `join`,
`default_if_none` and `linebreaksbr`, each file's last line break kept; an unknown variable is an
error, as in Django's templates under the tests. They see only what `fields_html` gives them."""

from pathlib import Path

from django.template import defaultfilters
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).resolve().parents[2] / "jinja2"
FIELDS_TEMPLATE = "formengine/fields.html"
SUMMARY_TEMPLATE = "formengine/summary.html"


def _join(value, separator: str) -> SafeString:
    return defaultfilters.join(value, separator, autoescape=True)


def _linebreaksbr(value) -> SafeString:
    return defaultfilters.linebreaksbr(value, autoescape=True)


def _environment() -> Environment:
    environment = Environment(  # noqa: S701 (autoescape is on, through `finalize`)
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        # Escaped as Django escapes (`'` as &#x27;); Jinja2 then leaves it as it is (safe text).
        finalize=conditional_escape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
    )
    environment.filters.update(join=_join, default_if_none=defaultfilters.default_if_none, linebreaksbr=_linebreaksbr)
    return environment


_ENVIRONMENT = _environment()
_FIELDS = _ENVIRONMENT.get_template(FIELDS_TEMPLATE)
_SUMMARY = _ENVIRONMENT.get_template(SUMMARY_TEMPLATE)


def fields_html(page, *, form_action: str, source_message: str = "", source_certified: bool = False) -> SafeString:
    """The fields of `page` (a PageView, or the annotations' view of the back office), as the part
    of the page's form that htmx replaces when an answer changes."""
    html = _FIELDS.render(
        page=page, form_action=form_action, source_message=source_message, source_certified=source_certified
    )
    return mark_safe(html)  # noqa: S308 (rendered with every value escaped)


def summary_html(summary, *, read_only: bool = False) -> SafeString:
    """The summary of the answers (a Summary): with its warnings and its « Modifier » links, or
    `read_only` (a filed dossier's answers, seen by its applicant or an agent)."""
    return mark_safe(_SUMMARY.render(summary=summary, read_only=read_only))  # noqa: S308 (every value escaped)
