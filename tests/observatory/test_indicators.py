"""The observatory's colour levels and arithmetic, exactly at each official threshold."""

from decimal import Decimal

import pytest

from guichet.observatory import indicators as ind
from guichet.observatory.indicators import Level

ENOUGH = ind.MINIMUM_OPINIONS


@pytest.mark.parametrize(
    ("value", "level"),
    [(10, Level.GREEN), (8, Level.GREEN), (7.9, Level.YELLOW), (5, Level.YELLOW), (4.9, Level.RED), (0, Level.RED)],
)
def test_score_levels_at_their_thresholds(value, level):
    assert ind.level_score(value, opinions=ENOUGH) == level


def test_score_is_gray_under_100_opinions_and_judged_from_100():
    assert ind.level_score(9.5, opinions=99) == Level.GRAY
    assert ind.level_score(9.5, opinions=100) == Level.GREEN
    assert ind.level_score(None, opinions=500) == Level.GRAY


@pytest.mark.parametrize(
    ("percent", "level"),
    [(100, Level.GREEN), (85, Level.GREEN), (84.9, Level.YELLOW), (70, Level.YELLOW), (69.9, Level.RED)],
)
def test_help_reachable_levels(percent, level):
    assert ind.level_help_reachable(percent, opinions=ENOUGH) == level
    assert ind.level_help_reachable(percent, opinions=ENOUGH - 1) == Level.GRAY


@pytest.mark.parametrize(
    ("rate", "level"),
    [
        (Decimal("100"), Level.GREEN),
        (Decimal("99.99"), Level.YELLOW),
        (Decimal("50"), Level.YELLOW),
        (Decimal("49.99"), Level.RED),
        (0, Level.RED),
        (None, Level.RED),  # no declaration is red, not gray
    ],
)
def test_rgaa_levels(rate, level):
    assert ind.level_rgaa(rate) == level


@pytest.mark.parametrize(
    ("count", "level"),
    [(0, Level.GREEN), (1, Level.GREEN), (2, Level.YELLOW), (4, Level.YELLOW), (5, Level.RED), (None, Level.GRAY)],
)
def test_dlnuf_levels(count, level):
    assert ind.level_dlnuf(count) == level


@pytest.mark.parametrize(
    ("percent", "level"),
    [(100, Level.GREEN), (99.91, Level.GREEN), (99.9, Level.YELLOW), (98.5, Level.YELLOW), (98.49, Level.RED)],
)
def test_uptime_levels(percent, level):
    assert ind.level_uptime(percent) == level


@pytest.mark.parametrize(
    ("seconds", "level"),
    [(0.1, Level.GREEN), (0.39, Level.GREEN), (0.4, Level.YELLOW), (0.8, Level.YELLOW), (0.81, Level.RED)],
)
def test_performance_levels(seconds, level):
    assert ind.level_performance(seconds) == level


def test_franceconnect_is_blue_when_offered_and_red_when_not():
    assert ind.level_auth(True) == Level.BLUE
    assert ind.level_auth(False) == Level.RED
    assert ind.goal_reached(ind.level_auth(True))


@pytest.mark.parametrize(
    ("kwargs", "status", "level"),
    [
        ({"phase": "framing", "published": False, "partially": False, "proactive": False}, "no", Level.RED),
        ({"phase": "build", "published": True, "partially": False, "proactive": False}, "yes", Level.GREEN),
        ({"phase": "online", "published": False, "partially": False, "proactive": False}, "yes", Level.GREEN),
        ({"phase": "online", "published": True, "partially": True, "proactive": False}, "partial", Level.YELLOW),
        ({"phase": "framing", "published": False, "partially": False, "proactive": True}, "proactive", Level.BLUE),
    ],
)
def test_online_status_and_its_level(kwargs, status, level):
    assert ind.online_status(**kwargs) == status
    assert ind.level_online(status) == level


def test_drift_is_current_minus_initial_over_initial():
    assert ind.drift(initial=Decimal("1000000"), current=Decimal("1250000")) == pytest.approx(0.25)
    assert ind.drift(initial=24, current=18) == pytest.approx(-0.25)
    assert ind.drift(initial=0, current=10) is None
    assert ind.drift(initial=None, current=10) is None


def test_percentile_interpolates_between_ranks():
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    assert ind.percentile(values, 0.5) == 3.0
    assert ind.percentile(values, 0.9) == pytest.approx(7.6)  # 4 + (10 - 4) × 0.6
    assert ind.percentile([1.0, 2.0], 0.5) == 1.5
    assert ind.percentile([5.0], 0.9) == 5.0
    assert ind.percentile([], 0.5) is None


def test_progress_rate_towards_the_target_either_way_and_bounded():
    # 87 % in May 2021 against 90 % for 2022, from 80 %: 7 of the 10 points to go.
    assert ind.progress_rate(initial=80, target=90, actual=87) == pytest.approx(70)
    assert ind.progress_rate(initial=30, target=10, actual=25) == pytest.approx(25)  # a decrease to reach
    assert ind.progress_rate(initial=80, target=90, actual=95) == 100
    assert ind.progress_rate(initial=80, target=90, actual=70) == 0
    assert ind.progress_rate(initial=80, target=80, actual=80) is None


def test_scores_from_one_to_five_are_brought_to_ten():
    assert ind.score_from_five(1) == 0
    assert ind.score_from_five(3) == 5
    assert ind.score_from_five(5) == 10


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("FRANCE", "national"),
        ("R53", "regional"),
        ("D01", "departmental"),
        ("D2A", "departmental"),
        ("D971", "departmental"),
    ],
)
def test_zone_levels(code, level):
    assert ind.zone_level(code) == level


def test_unknown_zone_is_refused():
    with pytest.raises(ValueError, match="zone"):
        ind.zone_level("Bretagne")


def test_verdicts_say_their_level_in_words():
    few = ind.score_verdict("satisfaction", "Satisfaction", 9.0, opinions=12)
    assert few.level == Level.GRAY
    assert few.level_text == "Moins de 100 avis (12)"
    assert few.text == "9,0 / 10"
    assert ind.rgaa_verdict(None).text == "Pas de déclaration"
    assert ind.rgaa_verdict(Decimal("100")).text == "100 %"
    assert ind.dlnuf_verdict(3).text == "3 données déjà détenues"
    assert ind.auth_verdict(True).goal_reached


def test_help_used_has_no_threshold():
    used = ind.help_used_verdict(35.0, opinions=250)
    assert (used.level, used.level_text, used.text) == (Level.GRAY, "Sans seuil", "35,0 %")
    assert not used.goal_reached
