"""Sealed acts per second: the worker's whole work for one act (the template on the dossier, the
PDF/A by WeasyPrint, the PAdES seal by pyHanko with the development certificate, storage, audit
event), in process, over the demo procedures' filed dossiers. `python -m bench.acts` runs it alone."""

import statistics
import sys
import time
from pathlib import Path

ACTS = 100


def acts_figures(count: int = ACTS) -> list:
    from bench.run import Figure
    from guichet.connectors.registry import connector_for
    from guichet.documents.models import Act
    from guichet.documents.services import act_issue
    from guichet.dossiers.models import ActKind, Dossier, DossierState

    dossiers = list(
        Dossier.objects.exclude(state=DossierState.DRAFT)
        .exclude(number=None)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not dossiers:
        raise RuntimeError("the demo has no filed dossier to issue acts for")
    connector_for("seal").signer()  # the seal's key is loaded once per worker process: not part of each act
    warm = Act.objects.create(dossier_id=dossiers[0], kind=ActKind.RECEIPT)
    act_issue(act_id=warm.pk)  # warm-up: WeasyPrint's fonts, pyHanko's imports
    samples = []
    for index in range(count):
        act = Act.objects.create(dossier_id=dossiers[index % len(dossiers)], kind=ActKind.RECEIPT)
        start = time.perf_counter()
        issued = act_issue(act_id=act.pk)
        samples.append(time.perf_counter() - start)
        if not issued.is_issued:
            raise RuntimeError(f"act {act.pk} was not issued")
    median = statistics.median(samples)
    return [
        Figure("acts_sealed_per_second", 1 / median, "acts/s"),
        Figure("act_sealed_median", median * 1000, "ms"),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.run import figures_print

    figures_print(acts_figures)
