"""The one way people enter a date (issue 16): a text input, "jj/mm/aaaa", the same in every
browser (the DSFR's advice for dates people know, such as a birth date). Slashes, dashes, dots or
spaces between the parts, or the eight digits alone; ISO dates still come from the API and imports."""

import re
from datetime import date, datetime

_FRENCH_DATE = re.compile(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})|(\d{2})(\d{2})(\d{4})")
_FRENCH_TIME = re.compile(r"(\d{1,2})\s*[:hH]\s*(\d{2})?")


def date_entry_parse(text: str) -> date:
    """A date as a person types it ("14/07/1990", "14-7-1990", "14071990") or as ISO ("1990-07-14");
    ValueError when it is none, or a day that does not exist."""
    text = text.strip()
    if match := _FRENCH_DATE.fullmatch(text):
        parts = match.groups()[:3] if match.group(1) else match.groups()[3:]
        day, month, year = (int(part) for part in parts)
        return date(year, month, day)
    return date.fromisoformat(text)


def datetime_entry_parse(text: str) -> datetime:
    """A date and a time as a person types them ("14/07/2026 09:30", "14/07/2026 9h30") or as ISO."""
    text = text.strip()
    day, _, time = text.partition(" ") if "/" in text or "." in text else ("", "", "")
    if day and (match := _FRENCH_TIME.fullmatch(time.strip())):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        return datetime.combine(date_entry_parse(day), datetime.min.time()).replace(hour=hour, minute=minute)
    return datetime.fromisoformat(text)
