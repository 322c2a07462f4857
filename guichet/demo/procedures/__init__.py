"""The demo procedures: one procedure document each, beside this module (`<slug>.json`, described by
docs/procedure.schema.json), written by `manage.py procedure_export` and loaded by the demo through
the import of `manage.py procedure_import`. A document carries the procedure's texts, settings,
organisation (by SIRET), instructor groups and form; what the demo does beyond (the instructors and
experts it brings, its dossiers and their answers) is in loader.py and answers.py."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOCUMENTS = Path(__file__).resolve().parent


@dataclass(frozen=True)
class DemoProcedure:
    """A demo procedure's document, with the entries the demo and its tests read at hand."""

    document: dict[str, Any]

    @classmethod
    def read(cls, slug: str) -> "DemoProcedure":
        return cls(json.loads((DOCUMENTS / f"{slug}.json").read_text(encoding="utf-8")))

    @property
    def slug(self) -> str:
        return self.document["slug"]

    @property
    def title(self) -> str:
        return self.document["title"]

    @property
    def summary(self) -> str:
        return self.document["summary"]

    @property
    def description(self) -> str:
        return self.document["description"]

    @property
    def processing_days(self) -> int | None:
        return self.document["processing_days"]

    @property
    def definition(self) -> dict[str, Any]:
        return self.document["definition"]

    @property
    def groups(self) -> tuple[str, ...]:
        """The names of its instructor groups, the default one first."""
        return tuple(group["name"] for group in self.document["instructor_groups"])


# In the order the demo loads them: a procedure's position is the seed of its dossiers' answers.
PROCEDURES: tuple[DemoProcedure, ...] = tuple(
    DemoProcedure.read(slug)
    for slug in (
        "autorisation-travaux-monument-historique",
        "copie-integrale-acte-de-naissance",
        "inscription-liste-electorale",
        "subvention-fonctionnement-association",
        # Its fee is paid online before filing (the dummy payment service: demo/payments.py).
        "reservation-salle-des-fetes",
    )
)
