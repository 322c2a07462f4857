from django import template

from guichet.core.markdown import markdown_render

register = template.Library()


@register.filter
def markdown(text: str):
    """An administrator's text in the safe Markdown subset (see guichet.core.markdown)."""
    return markdown_render(text)
