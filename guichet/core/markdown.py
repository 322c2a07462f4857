"""The safe Markdown subset that administrators write in explanations and descriptions.

Raw HTML is never passed through (it comes out as text), and only paragraphs, emphasis, links,
lists and line breaks are recognised, so that a form cannot carry a script, an image that tracks
its readers or a layout that breaks the page. Links go only to http(s) and mailto addresses."""

from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _link_open(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    if str(token.attrGet("href") or "").lower().startswith(("http://", "https://")):
        # Pages behind an external link must not reach back into ours through window.opener.
        token.attrSet("rel", "noopener")
    return self.renderToken(tokens, idx, options, env)


def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False, "typographer": False})
    md.enable(["emphasis", "link", "list", "newline"])
    md.validateLink = lambda url: url.strip().lower().startswith(_SAFE_SCHEMES)
    md.add_render_rule("link_open", _link_open)
    return md


_MARKDOWN = _parser()


@lru_cache(maxsize=2048)
def _html(text: str) -> str:
    # The same explanations come back on every page a form shows: rendered once per process.
    return _MARKDOWN.render(text)


def markdown_render(text: str) -> SafeString:
    """HTML for an administrator's Markdown text; anything outside the safe subset stays plain text."""
    # markdown-it escapes every text and attribute it outputs, and raw HTML is disabled.
    return mark_safe(_html(text or ""))  # noqa: S308
