"""What the accounts app lets the apps above it tell (see core/hooks.py)."""

from guichet.core.hooks import Hook

agent_roles_collect = Hook(
    "agent_roles_collect",
    doc="Which agent roles a person holds: listeners receive `user` and `roles`, a set of role "
    "names to add theirs to (the apps that hold instructors' groups and experts' invitations).",
)

session_user_annotate = Hook(
    "session_user_annotate",
    doc="The signed-in user's query, run at every request, is built (once per process): listeners add "
    "to `annotations` (name → expression) what every page asks about the person, read in that query "
    "instead of one of its own (the roles that the header shows); `user` names the person's key in "
    'that query ("pk", or "applicant" when the person is read with their dossier).',
)
