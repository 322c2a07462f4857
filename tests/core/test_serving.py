"""A web server's process, once the application is loaded, hides what it loaded from the cyclic
garbage collector and collects its young objects less often (guichet/core/serving.py); cycles are
still collected."""

import gc
import weakref

import pytest

from guichet.core.serving import YOUNG_THRESHOLD, serving_process_settle


@pytest.fixture
def settled():
    before = gc.get_threshold()
    serving_process_settle()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


class _Node:
    pass


def test_what_is_loaded_is_frozen_and_young_objects_are_collected_less_often(settled):
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD


def test_a_cycle_left_by_a_request_is_still_collected(settled):
    node = _Node()
    node.itself = node
    gone = weakref.ref(node)
    del node
    kept = [[] for _ in range(3 * YOUNG_THRESHOLD)]  # what a request allocates, without gc.collect()
    assert gone() is None
    assert len(kept) == 3 * YOUNG_THRESHOLD
