"""`{% formengine_fields %}`: the fields of a form page, in a page written with Django's templates
(rendered by Jinja2: www/formengine/rendering.py). They see the page's `page`, `form_action`,
`source_message` and `source_certified`, or what the tag is given (`page=annotations`).
`{% formengine_summary %}`: the summary of the answers, the page's `summary` (and `read_only`, or
`read_only=True` given to the tag)."""

from django import template
from django.utils.safestring import SafeString

from guichet.www.formengine.rendering import fields_html, summary_html

register = template.Library()


@register.simple_tag(takes_context=True)
def formengine_fields(context: template.Context, page=None) -> SafeString:
    return fields_html(
        context["page"] if page is None else page,
        form_action=context.get("form_action", ""),
        source_message=context.get("source_message", ""),
        source_certified=context.get("source_certified", False),
    )


@register.simple_tag(takes_context=True)
def formengine_summary(context: template.Context, read_only=None) -> SafeString:
    return summary_html(
        context["summary"], read_only=bool(context.get("read_only") if read_only is None else read_only)
    )
