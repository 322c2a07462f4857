"""What the procedures app lets the apps above it do on its events (see core/hooks.py)."""

from guichet.core.hooks import Hook

procedure_published = Hook(
    "procedure_published",
    doc="A version was just published, inside the publishing transaction: "
    "listeners receive `procedure`, `version` and `actor`.",
)
