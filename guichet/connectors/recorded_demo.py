"""What the demonstration data sources (api_entreprise_demo, api_particulier_demo) share: they
answer in the process from recorded answers (a recorded.json beside them), and are selected by
GUICHET_DATA_SOURCES_DEMO (development and the demo), never in production."""

import json
from functools import cache
from pathlib import Path
from typing import Self

from django.conf import settings


@cache
def recorded_json(path: Path) -> dict[str, dict]:
    """The recorded answers in `path`, read once (the stand-ins of the tests serve them too)."""
    return json.loads(path.read_text(encoding="utf-8"))


class RecordedDemo:
    """Configured by GUICHET_DATA_SOURCES_DEMO alone; holds no setting of its own."""

    setting_names = ("GUICHET_DATA_SOURCES_DEMO",)

    @classmethod
    def configured(cls) -> bool:
        return bool(settings.GUICHET_DATA_SOURCES_DEMO)

    @classmethod
    def from_settings(cls) -> Self:
        return cls()
