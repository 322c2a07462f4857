"""A procedure published in Guichet and its row in the observatory's programme: linked at
publication (a listener of procedures' `procedure_published`) and by the aggregation, for those
published before the observatory existed."""

from django.db import transaction

from guichet.accounts.models import User
from guichet.core.audit import audit_record
from guichet.core.models import AuditAction
from guichet.procedures.models import Procedure

from .models import Channel, Phase, ProgrammeEntry


def programme_entry_on_publish(*, procedure: Procedure, version, actor: User | None) -> None:
    """Listener of procedures' `procedure_published`: the procedure's row in the programme (created,
    or the one waiting under its title) is linked and marked online, in the publishing transaction."""
    programme_entry_link(actor=actor, procedure=procedure)


@transaction.atomic
def programme_entry_link(*, actor: User | None, procedure: Procedure) -> ProgrammeEntry:
    """Give a procedure published in Guichet its programme entry: the entry already linked to it,
    else the organisation's entry of the same title not linked yet (a procedure of the programme
    that has just come online), else a new one. The entry is then « en ligne »."""
    entry = ProgrammeEntry.objects.select_for_update().filter(procedure=procedure).first()
    created = False
    if entry is None:
        entry = (
            ProgrammeEntry.objects.select_for_update()
            .filter(organisation_id=procedure.organisation_id, procedure__isnull=True, title__iexact=procedure.title)
            .order_by("pk")
            .first()
        )
    if entry is None:
        entry = ProgrammeEntry(organisation_id=procedure.organisation_id, title=procedure.title)
        created = True
    elif entry.procedure_id == procedure.pk and entry.phase == Phase.ONLINE:
        return entry  # already linked: publishing a new version changes nothing here
    entry.procedure = procedure
    entry.phase = Phase.ONLINE
    if Channel.ONLINE not in entry.channels:
        entry.channels = [Channel.ONLINE.value, *entry.channels]
    entry.save()
    audit_record(
        actor=actor,
        action=AuditAction.PROGRAMME_ENTRY_LINK,
        target=entry,
        details={"procedure": procedure.slug, "created": created},
    )
    return entry
