from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from guichet.core.markdown import markdown_render

register = template.Library()


@register.filter
def markdown(text: str):
    """An administrator's text in the safe Markdown subset (see guichet.core.markdown)."""
    return markdown_render(text)


@register.filter
def choice_input(choice) -> str:
    """The <input> of one option of a radio or checkbox list (a BoundWidget), written directly:
    Django's widget templates take a template rendering per option, which made a page of a few
    dozen options several times slower to render."""
    data = choice.data
    required = data["attrs"].get("required", False)
    return format_html(
        '<input type="{}" name="{}" value="{}" id="{}"{}{}>',
        data["type"],
        data["name"],
        "" if data["value"] is None else data["value"],
        choice.id_for_label,
        mark_safe(" checked") if data["selected"] else "",  # noqa: S308 (a constant)
        mark_safe(" required") if required else "",  # noqa: S308 (a constant)
    )
