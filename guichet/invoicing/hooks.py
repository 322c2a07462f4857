"""What the invoicing app lets the apps above it do on its events (see core/hooks.py)."""

from guichet.core.hooks import Hook

invoice_needs_attention = Hook(
    "invoice_needs_attention",
    doc="Chorus Pro's status of an invoice just moved into one that waits for the organisation "
    "(A_RECYCLER, SUSPENDUE), inside the transaction that records it: listeners receive `invoice` "
    "and `text`, a French sentence saying what happened (the instructors are told once).",
)
