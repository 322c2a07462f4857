"""The panorama's server-drawn bars: a fall is drawn left of the zero line, a rise right of it,
and no value means no chart."""

import pytest

from guichet.www.observatoire.bars import LABEL_WIDTH, bar_chart


def test_bars_stand_either_side_of_the_zero_line():
    chart = bar_chart("Dérive", [("Hausse", 0.5, "+50,0 %"), ("Baisse", -0.25, "−25,0 %"), ("Inconnue", None, "—")])
    rise, fall, unknown = chart.bars
    zero = float(chart.zero_x)
    assert LABEL_WIDTH < zero  # room for the falls
    assert float(rise.x) == zero and float(rise.width) == pytest.approx(2 * float(fall.width), abs=0.2)
    assert fall.negative and float(fall.x) + float(fall.width) == pytest.approx(zero, abs=0.2)
    assert float(unknown.width) == 0 and unknown.text == "—"
    assert "," not in chart.zero_x + rise.x + rise.width  # coordinates never in the French format
    assert bar_chart("Rien", [("Inconnue", None, "—")]) is None
