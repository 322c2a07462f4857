"""What the payments app lets the apps above it do on its events (see core/hooks.py)."""

from guichet.core.hooks import Hook

payment_settled = Hook(
    "payment_settled",
    doc="A payment's result was just recorded, inside its transaction: listeners receive `payment` "
    "(the follow-up chain delivers an act that waited for it).",
)
