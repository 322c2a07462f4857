"""What the procedures app lets the apps above it do on its events (see core/hooks.py)."""

from guichet.core.hooks import Hook

procedure_published = Hook(
    "procedure_published",
    doc="A version was just published, inside the publishing transaction: "
    "listeners receive `procedure`, `version` and `actor`.",
)

publication_checks_asked = Hook(
    "publication_checks_asked",
    doc="The publication's confirmation step lists what is missing or worth checking: listeners "
    "receive `procedure` and `checks` (a list of procedures.readiness.PublicationCheck to append to).",
)

procedure_retention_changed = Hook(
    "procedure_retention_changed",
    doc="A procedure's DUA or final fate changed outside the archives' own service (an imported "
    "procedure document), inside the transaction: listeners receive `procedure`.",
)
