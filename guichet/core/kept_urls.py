"""Addresses reversed once per process: `reverse_kept` gives what Django's `reverse` gives, and keeps it.

Reversing an address (finding the pattern, checking each argument against it) costs Django about
as much as reading a row; a page links to the same dozen addresses every time (the header's, the
dossier's), and `{% url %}` reverses each at every page (decision 0056). What was reversed is kept
per address configuration and prefix, language, application namespace, view name and arguments
(each told apart by its type and its text, which is what reversing reads of it), at most
`KEPT_AT_MOST` of them, and forgotten whenever a setting changes. An address that cannot be
reversed is never kept: the error comes each time."""

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

KEPT_AT_MOST = 20_000
_kept: dict[tuple, str] = {}


def _told_apart(values) -> tuple:
    return tuple((type(value).__qualname__, str(value)) for value in values)


def reverse_kept(viewname: str, args=None, kwargs=None, current_app: str | None = None) -> str:
    args, kwargs = args or (), kwargs or {}
    key = (
        get_urlconf(),
        get_script_prefix(),
        get_language(),
        current_app,
        viewname,
        _told_apart(args),
        tuple(sorted((name, *_told_apart([value])) for name, value in kwargs.items())),
    )
    url = _kept.get(key)
    if url is None:
        url = reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
        if len(_kept) >= KEPT_AT_MOST:
            _kept.clear()  # rarely: the addresses of the pages visited lately come back at once
        _kept[key] = url
    return url


def _forget(**kwargs) -> None:
    _kept.clear()


setting_changed.connect(_forget)
