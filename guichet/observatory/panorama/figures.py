"""An edition's figures, computed from its frozen records (no database here): each project's drifts
within the edition and since its first and previous editions, and the headline figures.

Drift = (current forecast − initial forecast) / initial forecast, as the panorama defines it; the
changes since an earlier edition use the same formula with that edition's forecast as the start."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..indicators import drift
from ..models import ProjectPhase, ProjectRecord


@dataclass(frozen=True)
class ProjectLine:
    """A project as an edition shows it: its record, and the records it is compared with."""

    record: ProjectRecord
    first: ProjectRecord | None  # its record in the first edition it was published in
    previous: ProjectRecord | None  # its record in the edition before this one (None: new)

    @property
    def schedule_drift(self) -> Decimal | None:
        return drift(initial=self.record.duration_initial_years, current=self.record.duration_current_years)

    @property
    def budget_drift(self) -> Decimal | None:
        return drift(initial=self.record.cost_initial_meur, current=self.record.cost_current_meur)

    def _since(self, earlier: ProjectRecord | None, name: str) -> Decimal | None:
        if earlier is None:
            return None
        return drift(initial=getattr(earlier, name), current=getattr(self.record, name))

    @property
    def cost_since_first(self) -> Decimal | None:
        return self._since(self.first, "cost_current_meur")

    @property
    def cost_since_previous(self) -> Decimal | None:
        return self._since(self.previous, "cost_current_meur")

    @property
    def duration_since_first(self) -> Decimal | None:
        return self._since(self.first, "duration_current_years")

    @property
    def duration_since_previous(self) -> Decimal | None:
        return self._since(self.previous, "duration_current_years")

    @property
    def is_new(self) -> bool:
        """Not in the previous edition (or the first edition of all)."""
        return self.previous is None


@dataclass(frozen=True)
class Headline:
    """An edition's headline figures. Means are over the projects whose figures are known."""

    count: int
    interministerial: int
    local_authorities: int
    total_cost_meur: Decimal
    mean_duration_years: Decimal | None
    mean_schedule_drift: Decimal | None
    mean_budget_drift: Decimal | None
    by_phase: tuple[tuple[str, int], ...]


def _mean(values) -> Decimal | None:
    known = [value for value in values if value is not None]
    return sum(known, Decimal(0)) / len(known) if known else None


def headline(lines: Sequence[ProjectLine]) -> Headline:
    records = [line.record for line in lines]
    phases = Counter(record.phase for record in records)
    return Headline(
        count=len(records),
        interministerial=sum(record.interministerial for record in records),
        local_authorities=sum(record.local_authorities for record in records),
        total_cost_meur=sum((record.cost_current_meur or Decimal(0) for record in records), Decimal(0)),
        mean_duration_years=_mean(record.duration_current_years for record in records),
        mean_schedule_drift=_mean(line.schedule_drift for line in lines),
        mean_budget_drift=_mean(line.budget_drift for line in lines),
        by_phase=tuple((str(label), phases[value]) for value, label in ProjectPhase.choices if phases[value]),
    )


def project_lines(
    records: Sequence[ProjectRecord],
    *,
    first: dict[int, ProjectRecord],
    previous: dict[int, ProjectRecord],
) -> list[ProjectLine]:
    """Each record of an edition with the records it is compared with (by project id); a
    project's first record is its own when this edition is its first."""
    return [
        ProjectLine(
            record=record,
            first=first.get(record.project_id, record),
            previous=previous.get(record.project_id),
        )
        for record in records
    ]
