"""`{% once name=value … %}…{% endonce %}`: a part of a layout that is the same on every page (the
footer, the design system's style sheets and scripts) rendered once per process, not at each page.

The part sees nothing of the page's context but the values given to the tag (the platform's name,
the accessibility state…): nothing of the person or the request can end up shown to someone else.
What it renders is kept per address configuration and prefix, language and given values, and forgotten whenever a
setting changes (the tests change some).

A value is told apart by its text, or by its `once_key` when it has one: an unbound form whose fields never
change says « the same as any other » (a constant), so that it is not rendered only to be compared; a
`once_key` of None (a form bound to what a person sent) renders the part each time, nothing kept."""

import weakref

from django import template
from django.core.signals import setting_changed
from django.template.base import token_kwargs
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

register = template.Library()
_NODES: "weakref.WeakSet[OnceNode]" = weakref.WeakSet()
_TEXT = object()


class OnceNode(template.Node):
    def __init__(self, nodelist: template.NodeList, values: dict):
        self.nodelist, self.values = nodelist, values
        self.rendered: dict[tuple, str] = {}
        _NODES.add(self)

    def render(self, context: template.Context) -> str:
        values = {name: value.resolve(context) for name, value in self.values.items()}
        given = tuple(sorted((name, _identity(value)) for name, value in values.items()))
        key = (get_urlconf(), get_script_prefix(), get_language(), given)
        html = self.rendered.get(key)
        if html is None:
            # The page's context emptied of everything but the values (its engine and settings kept).
            html = self.nodelist.render(context.new(values))
            if None not in (identity for _, identity in given):
                self.rendered[key] = html
        return html


def _identity(value) -> str | None:
    key = getattr(value, "once_key", _TEXT)
    return str(value) if key is _TEXT else key


@register.tag
def once(parser, token) -> OnceNode:
    values = token_kwargs(token.split_contents()[1:], parser)
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist, values)


def _forget(**kwargs) -> None:
    for node in list(_NODES):
        node.rendered.clear()


setting_changed.connect(_forget)
