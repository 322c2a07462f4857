"""What the accounts app lets the apps above it tell (see core/hooks.py)."""

from guichet.core.hooks import Hook

agent_roles_collect = Hook(
    "agent_roles_collect",
    doc="Which agent roles a person holds: listeners receive `user` and `roles`, a set of role "
    "names to add theirs to (the apps that hold instructors' groups and experts' invitations).",
)
