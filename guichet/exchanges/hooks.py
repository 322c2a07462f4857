"""What the exchanges app lets the apps above it do on its events (see core/hooks.py)."""

from guichet.core.hooks import Hook

received_message_written = Hook(
    "received_message_written",
    doc="A message that the sender of a case received through HubEE added to it was written on the "
    "dossier as its applicant's, inside its transaction: listeners receive `message` (instruction "
    "tells the instructors, as for any message from an applicant).",
)
