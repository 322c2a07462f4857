"""Characters no text field may hold: NUL (PostgreSQL's text refuses it) and the halves of UTF-16
pairs left alone (`"\\ud800"` in JSON: they have no UTF-8 form). Found where input enters (the
request guard in guichet/www/middleware.py, docs/decisions/0016-hostile-input.md), so that no
form, service or API schema needs to think of them."""

import re
from collections.abc import Iterator
from typing import Any

REFUSED = re.compile("[\x00\ud800-\udfff]")


def has_refused_characters(text: str) -> bool:
    return REFUSED.search(text) is not None


def refused_locations(value: Any, location: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Where, in decoded JSON (dicts, lists, strings), a key or a string holds a refused character."""
    if isinstance(value, str):
        if has_refused_characters(value):
            yield location
    elif isinstance(value, dict):
        for key, item in value.items():
            # A key's refused characters are shown as "\ufffd", so that the location can be printed.
            shown = REFUSED.sub("\ufffd", key)
            if shown != key:
                yield (*location, shown)
            yield from refused_locations(item, (*location, shown))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from refused_locations(item, (*location, index))
