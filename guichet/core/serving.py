"""A web server's process once the application is loaded (config/wsgi.py, decision 0056).

Python's cyclic garbage collector walks, at each of its full collections, every object the process
holds: Django's and the platform's modules, models, URL patterns and compiled templates, some
200,000 objects that live as long as the process. A request allocates tens of thousands of
objects, nearly all freed at once by reference counting; with the default thresholds the young
collections run every 700 allocations and the full ones walk the whole heap again and again
(measured: 5.5–6.5 ms of a 75 ms applicant flow, 8 %). So, once the application is loaded:
- what is already there is moved out of the collector's sight (`gc.freeze()`, as Python's
  documentation advises for servers): it is never collected, and never walked again;
- the young generation is collected every YOUNG_THRESHOLD allocations rather than 700: a request's
  short-lived objects are gone before a collection looks at them. Cycles that a request leaves
  behind are still collected, a few thousand allocations later (some megabytes at most)."""

import gc

YOUNG_THRESHOLD = 20_000


def serving_process_settle() -> None:
    """The application is loaded: collect what loading left, freeze the rest, collect less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
