"""The API's scope matrix: for each operation, each kind of key (an instructor's own key, a service
account holding exactly one scope) and a target in its own organisation or in another one, the
status the API must answer. test_scope_matrix.py runs every row.

To add an operation: append an `Operation` to OPERATIONS (its path with `{dossier}` and/or
`{procedure}`, the scope it needs, a body when it writes). The expected status follows the rule
of principals.py (`expected_status`): outside its reach 404, inside without the scope 403, else
`ok`. An operation with other rules gives `expect(kind, target) -> int | None` (None: the rule)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from guichet.api.scopes import INSTRUCTOR_SCOPES, Scope

# The kinds of key: an instructor of the own procedure (a person's key), and one service account
# of the own organisation per scope, holding that scope alone.
INSTRUCTOR = "instructor"
KINDS = [INSTRUCTOR, *(f"service:{scope.value}" for scope in Scope)]
OWN, FOREIGN = "own", "foreign"
TARGETS = [OWN, FOREIGN]


@dataclass(frozen=True)
class Operation:
    name: str
    method: str  # "get", "post", "put", "patch", "delete"
    path: str  # "/api/v1/…/{dossier}/…": `{dossier}` the dossier's id, `{procedure}` the procedure's slug,
    # `{subscription}` a webhook subscription of the target's organisation
    scope: Scope
    body: dict[str, Any] | None = None
    ok: int = 200
    expect: Callable[[str, str], int | None] = field(default=lambda kind, target: None)

    def __str__(self) -> str:
        return self.name


def scopes_of(kind: str) -> frozenset[Scope]:
    if kind == INSTRUCTOR:
        return INSTRUCTOR_SCOPES
    return frozenset({Scope(kind.removeprefix("service:"))})


def expected_status(operation: Operation, kind: str, target: str) -> int:
    special = operation.expect(kind, target)
    if special is not None:
        return special
    if target == FOREIGN:
        return 404  # never reveals that it exists
    return operation.ok if operation.scope in scopes_of(kind) else 403


def closed_without(scope: Scope) -> Callable[[str, str], int | None]:
    """For an operation closed as a whole to a key without `scope`: 403 whatever the target."""
    return lambda kind, target: None if scope in scopes_of(kind) else 403


OPERATIONS: list[Operation] = [
    # api/instruction.py. A key without dossiers:read meets 403 on the procedures' list as a whole.
    Operation(
        "instruction.procedures",
        "get",
        "/api/v1/instruction/procedures",
        Scope.DOSSIERS_READ,
        expect=lambda kind, target: 200 if Scope.DOSSIERS_READ in scopes_of(kind) else 403,
    ),
    # The instruction API is closed as a whole to a key without the scope (403 before looking).
    Operation(
        "instruction.dossier_list",
        "get",
        "/api/v1/instruction/procedures/{procedure}/dossiers",
        Scope.DOSSIERS_READ,
        expect=closed_without(Scope.DOSSIERS_READ),
    ),
    Operation(
        "instruction.dossier_detail",
        "get",
        "/api/v1/instruction/dossiers/{dossier}",
        Scope.DOSSIERS_READ,
        expect=closed_without(Scope.DOSSIERS_READ),
    ),
    Operation(
        "instruction.dossier_decision",
        "post",
        "/api/v1/instruction/dossiers/{dossier}/decision",
        Scope.DOSSIERS_INSTRUCT,
        body={"decision": "start_instruction"},
        expect=closed_without(Scope.DOSSIERS_INSTRUCT),
    ),
    # api/dossier_writes.py (on a filed dossier, « déposé »). The multipart message is in
    # test_dossier_writes.py (this matrix sends JSON).
    Operation(
        "dossiers.start_instruction", "post", "/api/v1/dossiers/{dossier}/start-instruction", Scope.DOSSIERS_INSTRUCT
    ),
    # Reach and scope first; then the workflow: a filed dossier is not in instruction yet (409).
    Operation(
        "dossiers.request_corrections",
        "post",
        "/api/v1/dossiers/{dossier}/request-corrections",
        Scope.DOSSIERS_INSTRUCT,
        body={"message": "Corrigez."},
        ok=409,
    ),
    Operation(
        "dossiers.decide",
        "post",
        "/api/v1/dossiers/{dossier}/decide",
        Scope.DOSSIERS_INSTRUCT,
        body={"decision": "accept"},
        ok=409,
    ),
    Operation(
        "dossiers.assignee",
        "put",
        "/api/v1/dossiers/{dossier}/assignee",
        Scope.DOSSIERS_INSTRUCT,
        body={"assignee": None},
    ),
    Operation(
        "dossiers.labels", "put", "/api/v1/dossiers/{dossier}/labels", Scope.ANNOTATIONS_WRITE, body={"labels": ["A"]}
    ),
    # The factories' procedure defines no private annotations: 422 once reach and scope hold.
    Operation(
        "dossiers.annotations",
        "patch",
        "/api/v1/dossiers/{dossier}/annotations",
        Scope.ANNOTATIONS_WRITE,
        body={"annotations": {}},
        ok=422,
    ),
    # api/prefill.py
    Operation(
        "procedures.prefilled",
        "post",
        "/api/v1/procedures/{procedure}/prefilled",
        Scope.DOSSIERS_CREATE,
        body={"answers": {"objet": "Prérempli"}},
        ok=201,
    ),
    # api/procedures_api.py and api/dossiers.py. The lists and the feed answer 403 as a whole
    # without dossiers:read, whatever the target.
    Operation(
        "procedures.list",
        "get",
        "/api/v1/procedures",
        Scope.DOSSIERS_READ,
        expect=lambda kind, target: 200 if Scope.DOSSIERS_READ in scopes_of(kind) else 403,
    ),
    Operation("procedures.detail", "get", "/api/v1/procedures/{procedure}", Scope.DOSSIERS_READ),
    Operation("procedures.version", "get", "/api/v1/procedures/{procedure}/versions/1", Scope.DOSSIERS_READ),
    Operation(
        "dossiers.list",
        "get",
        "/api/v1/dossiers",
        Scope.DOSSIERS_READ,
        expect=lambda kind, target: 200 if Scope.DOSSIERS_READ in scopes_of(kind) else 403,
    ),
    Operation(
        "dossiers.list_of_procedure",
        "get",
        "/api/v1/dossiers?procedure={procedure}",
        Scope.DOSSIERS_READ,
        expect=lambda kind, target: None if Scope.DOSSIERS_READ in scopes_of(kind) else 403,
    ),
    Operation(
        "dossiers.changes",
        "get",
        "/api/v1/dossiers/changes",
        Scope.DOSSIERS_READ,
        expect=lambda kind, target: 200 if Scope.DOSSIERS_READ in scopes_of(kind) else 403,
    ),
    Operation("dossiers.detail", "get", "/api/v1/dossiers/{dossier}", Scope.DOSSIERS_READ),
    Operation(
        "exports.start",
        "post",
        "/api/v1/procedures/{procedure}/exports",
        Scope.EXPORTS_READ,
        body={"format": "csv"},
        ok=202,
    ),
    # api/statistics.py: figures only, for the keys that read statistics.
    Operation("statistics", "get", "/api/v1/procedures/{procedure}/statistics", Scope.STATISTICS_READ),
    # api/webhooks.py: an organisation's subscriptions (the target's organisation), for the keys that
    # manage webhooks; a person's key has no such scope (the screens are for administrators). Closed as
    # a whole without the scope (403 before looking, which tells nothing of what exists).
    Operation(
        "webhooks.list",
        "get",
        "/api/v1/webhooks/subscriptions",
        Scope.WEBHOOKS_MANAGE,
        expect=lambda kind, target: 200 if Scope.WEBHOOKS_MANAGE in scopes_of(kind) else 403,
    ),
    Operation(
        "webhooks.create",
        "post",
        "/api/v1/webhooks/subscriptions",
        Scope.WEBHOOKS_MANAGE,
        body={"url": "http://127.0.0.1:9/", "events": ["dossier.submitted"]},
        expect=lambda kind, target: 201 if Scope.WEBHOOKS_MANAGE in scopes_of(kind) else 403,
    ),
    Operation(
        "webhooks.detail",
        "get",
        "/api/v1/webhooks/subscriptions/{subscription}",
        Scope.WEBHOOKS_MANAGE,
        expect=closed_without(Scope.WEBHOOKS_MANAGE),
    ),
    Operation(
        "webhooks.update",
        "put",
        "/api/v1/webhooks/subscriptions/{subscription}",
        Scope.WEBHOOKS_MANAGE,
        body={"url": "http://127.0.0.1:9/autre", "events": ["dossier.state_changed"]},
        expect=closed_without(Scope.WEBHOOKS_MANAGE),
    ),
    Operation(
        "webhooks.secret",
        "post",
        "/api/v1/webhooks/subscriptions/{subscription}/secret",
        Scope.WEBHOOKS_MANAGE,
        expect=closed_without(Scope.WEBHOOKS_MANAGE),
    ),
    Operation(
        "webhooks.disable",
        "post",
        "/api/v1/webhooks/subscriptions/{subscription}/disable",
        Scope.WEBHOOKS_MANAGE,
        expect=closed_without(Scope.WEBHOOKS_MANAGE),
    ),
    Operation(
        "webhooks.enable",
        "post",
        "/api/v1/webhooks/subscriptions/{subscription}/enable",
        Scope.WEBHOOKS_MANAGE,
        expect=closed_without(Scope.WEBHOOKS_MANAGE),
    ),
    Operation(
        "webhooks.deliveries",
        "get",
        "/api/v1/webhooks/subscriptions/{subscription}/deliveries",
        Scope.WEBHOOKS_MANAGE,
        expect=closed_without(Scope.WEBHOOKS_MANAGE),
    ),
    Operation(
        "webhooks.delete",
        "delete",
        "/api/v1/webhooks/subscriptions/{subscription}",
        Scope.WEBHOOKS_MANAGE,
        ok=204,
        expect=closed_without(Scope.WEBHOOKS_MANAGE),
    ),
    # api/retention.py: for the procedures' administrators and archivists as persons only; neither an
    # instructor nor any service account reaches it, whatever the target (403 before looking).
    Operation(
        "procedures.retention",
        "get",
        "/api/v1/procedures/{procedure}/retention",
        Scope.DOSSIERS_READ,
        expect=lambda kind, target: 403,
    ),
]
