"""Bar charts drawn on the server as SVG, for the panorama: they show without JavaScript and
without style sheets (presentation attributes only, which the Content-Security-Policy allows).
Each stands beside the data table that holds its figures; the drawing itself is hidden from screen
readers (templates/observatoire/panorama/bars.html). Coordinates are written here as plain
strings so that the French number format of the templates never reaches them."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 720
LABEL_WIDTH = 230
VALUE_WIDTH = 90
ROW = 30
BAR = 18
TOP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    text: str  # the value as shown, in French
    x: str
    width: str
    y: str  # the bar's top
    text_x: str
    text_y: str
    negative: bool


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: tuple[Bar, ...]
    width: str
    height: str
    zero_x: str
    label_x: str


def _f(number: float) -> str:
    return f"{number:.1f}"


def bar_chart(title: str, items: Sequence[tuple[str, Decimal | float | None, str]]) -> BarChart | None:
    """Horizontal bars from (label, value, value as shown); values may be negative (a drift that
    fell), drawn to the left of the zero line. None when no value is known."""
    items = [(label, None if value is None else float(value), text) for label, value, text in items]
    known = [value for _, value, _ in items if value is not None]
    if not known:
        return None
    low, high = min(0.0, *known), max(0.0, *known)
    span = (high - low) or 1.0
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    zero = LABEL_WIDTH + area * (-low / span)
    bars = []
    for index, (label, value, text) in enumerate(items):
        length = area * abs(value or 0.0) / span
        start = zero - length if (value or 0) < 0 else zero
        top = TOP + index * ROW
        bars.append(
            Bar(
                label=label,
                text=text,
                x=_f(start),
                width=_f(length),
                y=_f(top),
                text_x=_f(max(start + length, zero) + 6),
                text_y=_f(top + BAR - 4),
                negative=(value or 0) < 0,
            )
        )
    return BarChart(
        title=title,
        bars=tuple(bars),
        width=str(WIDTH),
        height=str(TOP * 2 + ROW * len(items)),
        zero_x=_f(zero),
        label_x=str(LABEL_WIDTH - 8),
    )
