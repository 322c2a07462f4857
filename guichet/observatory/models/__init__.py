"""The observatory's tables: what the steering team declares (the programme, the declared quality
values, the other channels' volumes, the barometer's indicators, targets and entered values) and
the summary tables that the aggregation task fills from the rest of Guichet, so that the public
pages never read dossiers (docs/decisions/0011-observatory.md).

- programme.py: `ProgrammeEntry` and `ChannelVolume`, with their `Phase` and `Channel`;
- barometer.py: `Indicator`, `IndicatorGoal`, `IndicatorValue`;
- panorama.py: the panorama of major digital projects, `DigitalProject`, `PanoramaEdition`,
  `ProjectRecord`, with their `ProjectPhase`, `InclusionCriterion` and `CostBand`;
- summaries.py: `ProcedureQuality`, `ProcedureMonth`, `PageProbe`, `AggregationRun`.

Django finds the models through this package, where the rest of Guichet imports them from."""

from .barometer import Computation, Direction, Indicator, IndicatorGoal, IndicatorValue, validate_zone
from .panorama import (
    VALUE_FIELDS,
    CostBand,
    DigitalProject,
    FrozenEditionError,
    InclusionCriterion,
    PanoramaEdition,
    ProjectPhase,
    ProjectRecord,
)
from .programme import Channel, ChannelVolume, Phase, ProgrammeEntry
from .summaries import AggregationRun, PageProbe, ProcedureMonth, ProcedureQuality

__all__ = [
    "VALUE_FIELDS",
    "CostBand",
    "DigitalProject",
    "FrozenEditionError",
    "InclusionCriterion",
    "PanoramaEdition",
    "ProjectPhase",
    "ProjectRecord",
    "AggregationRun",
    "Channel",
    "ChannelVolume",
    "Computation",
    "Direction",
    "Indicator",
    "IndicatorGoal",
    "IndicatorValue",
    "PageProbe",
    "Phase",
    "ProcedureMonth",
    "ProcedureQuality",
    "ProgrammeEntry",
    "validate_zone",
]
