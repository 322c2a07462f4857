"""What the applicants of the multi-node test and the soak need in the database, and nothing more:
the demo's electoral-roll procedure (the one bench/flow.py fills in), imported and published as
`manage.py procedure_import` would, for its town hall, and applicants' accounts.

Not the whole demo: its hundreds of dossiers were filed with their follow-ups left to a worker, and
the nodes' workers would spend the measure issuing their acts."""

from django.db import transaction
from django.db.models import Count, Q
from django_tasks_db.models import DBTaskResult

from bench.flow import PROCEDURE_SLUG
from bench.load_data import PASSWORD, accounts_create
from guichet.accounts.models import Organisation
from guichet.accounts.services import organisation_create
from guichet.demo.loader import ORGANISATIONS
from guichet.demo.procedures import DemoProcedure
from guichet.documents.models import ActKind, ActStatus
from guichet.dossiers.models import Dossier, DossierState
from guichet.instruction.models import FollowUpStep
from guichet.procedures.exchange import procedure_import
from guichet.procedures.services import procedure_publish


@transaction.atomic
def filing_ready(applicants: int) -> tuple[list[str], str]:
    """The procedure published, and `applicants` confirmed accounts: their emails and password."""
    document = DemoProcedure.read(PROCEDURE_SLUG).document
    town_hall = next(demo for demo in ORGANISATIONS if demo.siret == document["organisation_siret"])
    if not Organisation.objects.filter(siret=town_hall.siret).exists():
        organisation_create(
            actor=None,
            name=town_hall.name,
            slug=town_hall.slug,
            siret=town_hall.siret,
            kind=town_hall.kind,
            street_address=town_hall.street_address,
            postcode=town_hall.postcode,
            city=town_hall.city,
        )
    procedure = procedure_import(actor=None, data=document)
    if not procedure.versions.exists():
        procedure_publish(actor=None, procedure=procedure)
    return accounts_create(applicants), PASSWORD


def filing_missing(answered: set[int]) -> dict[str, int]:
    """What the nodes lost, once their follow-ups are done (all zero when nothing was): dossiers
    answered « déposé » and not filed, filed ones without exactly one receipt issued, follow-up
    steps not done, task results failed."""
    filed = Dossier.objects.exclude(state=DossierState.DRAFT)
    receipts = Q(acts__kind=ActKind.RECEIPT, acts__status=ActStatus.ISSUED)
    counted = filed.annotate(receipts=Count("acts", filter=receipts))
    return {
        "answered_not_filed": len(answered - set(filed.values_list("pk", flat=True))),
        "filed_without_one_receipt": counted.exclude(receipts=1).count(),
        "steps_not_done": FollowUpStep.objects.exclude(status=FollowUpStep.Status.DONE).count(),
        "tasks_failed": DBTaskResult.objects.filter(status="FAILED").count(),
    }
