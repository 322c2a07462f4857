"""The API's scope matrix: for each operation, each kind of key (an instructor's own key, a service
account holding exactly one scope) and a target (its own procedure; another organisation's; another
procedure of its own organisation that it does not reach: the account limited to its own procedure,
the instructor of its own only), the status the API must answer. test_scope_matrix.py runs every row.

Every operation of the OpenAPI document has at least one row (test_scope_matrix.py fails on one
missing, by its operationId). To add an operation: append an `Operation` to OPERATIONS (its
operationId without the « guichet_api_ » prefix, its path with placeholders for what the test makes
in the target's procedure: `{dossier}`, `{procedure}` (slug), `{file}` (a file sent with a message),
`{act}` (an issued act), `{export}` (an export of this key, done), `{subscription}` and `{delivery}`
(a webhook subscription of the target's organisation and one of its deliveries), the scope it needs,
a body when it writes). The expected status follows the rule of principals.py (`expected_status`):
outside its reach 404, inside without the scope 403, else `ok`. An operation with other rules gives
`expect(kind, target) -> int | None` (None: the rule)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from guichet.api.scopes import INSTRUCTOR_SCOPES, Scope

# The kinds of key: an instructor of the own procedure (a person's key), and one service account
# of the own organisation per scope, holding that scope alone.
INSTRUCTOR = "instructor"
KINDS = [INSTRUCTOR, *(f"service:{scope.value}" for scope in Scope)]
OWN, FOREIGN, UNLISTED = "own", "foreign", "unlisted"
TARGETS = [OWN, FOREIGN, UNLISTED]


@dataclass(frozen=True)
class Operation:
    name: str
    operation_id: str  # the OpenAPI operationId, without « guichet_api_ »
    method: str  # "get", "post", "put", "patch", "delete"
    path: str  # "/api/v1/…/{dossier}/…", placeholders as the module's docstring says
    scope: Scope | None  # None: an operation open without a key (the open data)
    body: dict[str, Any] | None = None
    ok: int = 200
    expect: Callable[[str, str], int | None] = field(default=lambda kind, target: None)
    multipart: bool = False  # the body is sent as multipart/form-data, with a file in `attachments`

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
    if target in (FOREIGN, UNLISTED):
        return 404  # never reveals that it exists
    return operation.ok if operation.scope in scopes_of(kind) else 403


def closed_without(scope: Scope) -> Callable[[str, str], int | None]:
    """For an operation closed as a whole to a key without `scope`: 403 whatever the target."""
    return lambda kind, target: None if scope in scopes_of(kind) else 403


def whole_list(scope: Scope, ok: int = 200) -> Callable[[str, str], int | None]:
    """For a list of what the key reaches (no target in its path): `ok` with `scope`, else 403."""
    return lambda kind, target: ok if scope in scopes_of(kind) else 403


def open_data(kind: str, target: str) -> int:
    return 200


def instructor_refused(kind: str, target: str) -> int | None:
    """A person's key reaches it through roles an instructor does not hold: 403 before looking."""
    return 403 if kind == INSTRUCTOR else None


def nobody(kind: str, target: str) -> int:
    """For the persons of other roles only (administrators, archivists): 403 to every kind here."""
    return 403


R, INSTRUCT, ANNOTATE = Scope.DOSSIERS_READ, Scope.DOSSIERS_INSTRUCT, Scope.ANNOTATIONS_WRITE
HOOKS, EXPORTS = Scope.WEBHOOKS_MANAGE, Scope.EXPORTS_READ
DOSSIER, SUBSCRIPTION = "/api/v1/dossiers/{dossier}", "/api/v1/webhooks/subscriptions/{subscription}"

OPERATIONS: list[Operation] = [
    # api/observatory.py: open data, no key needed; any key reads it too.
    Operation(
        "observatory.quality", "observatory_quality", "get", "/api/v1/observatory/quality", None, expect=open_data
    ),
    Operation(
        "observatory.programme", "observatory_programme", "get", "/api/v1/observatory/programme", None, expect=open_data
    ),
    Operation(
        "observatory.barometer", "observatory_barometer", "get", "/api/v1/observatory/barometer", None, expect=open_data
    ),
    # api/instruction.py: closed as a whole to a key without the scope (403 before looking).
    Operation(
        "instruction.procedures",
        "instruction_procedures",
        "get",
        "/api/v1/instruction/procedures",
        R,
        expect=whole_list(R),
    ),
    Operation(
        "instruction.dossier_list",
        "instruction_dossier_list",
        "get",
        "/api/v1/instruction/procedures/{procedure}/dossiers",
        R,
        expect=closed_without(R),
    ),
    Operation(
        "instruction.dossier_detail",
        "instruction_dossier_detail",
        "get",
        "/api/v1/instruction/dossiers/{dossier}",
        R,
        expect=closed_without(R),
    ),
    Operation(
        "instruction.dossier_decision",
        "instruction_dossier_decision",
        "post",
        "/api/v1/instruction/dossiers/{dossier}/decision",
        INSTRUCT,
        body={"decision": "start_instruction"},
        expect=closed_without(INSTRUCT),
    ),
    # api/dossier_writes.py (on a filed dossier, « déposé »).
    Operation(
        "dossiers.start_instruction",
        "dossier_writes_dossier_start_instruction",
        "post",
        DOSSIER + "/start-instruction",
        INSTRUCT,
    ),
    # Reach and scope first; then the workflow: a filed dossier is not in instruction yet (409).
    Operation(
        "dossiers.request_corrections",
        "dossier_writes_dossier_request_corrections",
        "post",
        DOSSIER + "/request-corrections",
        INSTRUCT,
        body={"message": "Corrigez."},
        ok=409,
    ),
    Operation(
        "dossiers.decide",
        "dossier_writes_dossier_decide_api",
        "post",
        DOSSIER + "/decide",
        INSTRUCT,
        body={"decision": "accept"},
        ok=409,
    ),  # fmt: skip
    Operation(
        "dossiers.assignee",
        "dossier_writes_dossier_assign_api",
        "put",
        DOSSIER + "/assignee",
        INSTRUCT,
        body={"assignee": None},
    ),  # fmt: skip
    Operation(
        "dossiers.labels",
        "dossier_writes_dossier_labels_write",
        "put",
        DOSSIER + "/labels",
        ANNOTATE,
        body={"labels": ["A"]},
    ),  # fmt: skip
    # The factories' procedure defines no private annotations: 422 once reach and scope hold.
    Operation(
        "dossiers.annotations",
        "dossier_writes_dossier_annotations_write",
        "patch",
        DOSSIER + "/annotations",
        ANNOTATE,
        body={"annotations": {}},
        ok=422,
    ),  # fmt: skip
    # A message with a file (multipart/form-data), as the administrations' software sends one.
    Operation(
        "dossiers.messages",
        "dossier_writes_dossier_message_send",
        "post",
        DOSSIER + "/messages",
        Scope.MESSAGES_WRITE,
        body={"body": "Voici le courrier."},
        multipart=True,
    ),  # fmt: skip
    # api/prefill.py
    Operation(
        "procedures.prefilled",
        "prefill_prefilled_create",
        "post",
        "/api/v1/procedures/{procedure}/prefilled",
        Scope.DOSSIERS_CREATE,
        body={"answers": {"objet": "Prérempli"}},
        ok=201,
    ),  # fmt: skip
    # api/procedures_api.py, api/dossiers.py, api/changes.py. The lists and the feed answer 403 as a
    # whole without dossiers:read, whatever the target.
    Operation("procedures.list", "procedures_api_procedure_list", "get", "/api/v1/procedures", R, expect=whole_list(R)),
    Operation("procedures.detail", "procedures_api_procedure_detail", "get", "/api/v1/procedures/{procedure}", R),
    Operation(
        "procedures.version", "procedures_api_procedure_version", "get", "/api/v1/procedures/{procedure}/versions/1", R
    ),
    Operation("dossiers.list", "dossiers_dossier_list", "get", "/api/v1/dossiers", R, expect=whole_list(R)),
    Operation(
        "dossiers.list_of_procedure",
        "dossiers_dossier_list",
        "get",
        "/api/v1/dossiers?procedure={procedure}",
        R,
        expect=closed_without(R),
    ),
    Operation(
        "dossiers.changes", "changes_dossier_changes", "get", "/api/v1/dossiers/changes", R, expect=whole_list(R)
    ),
    Operation("dossiers.detail", "dossiers_dossier_detail", "get", DOSSIER, R),
    # The downloads, checked against the dossier's reach and dossiers:read.
    Operation("dossiers.file", "dossiers_dossier_file", "get", DOSSIER + "/files/{file}", R),
    Operation("dossiers.act", "dossiers_dossier_act", "get", DOSSIER + "/acts/{act}", R),
    # api/exports.py: an export is its key's alone; the poll and the file are closed without the scope.
    Operation(
        "exports.start",
        "exports_export_start",
        "post",
        "/api/v1/procedures/{procedure}/exports",
        EXPORTS,
        body={"format": "csv"},
        ok=202,
    ),  # fmt: skip
    Operation(
        "exports.poll",
        "exports_export_detail",
        "get",
        "/api/v1/exports/{export}",
        EXPORTS,
        expect=closed_without(EXPORTS),
    ),  # fmt: skip
    Operation(
        "exports.download",
        "exports_export_file",
        "get",
        "/api/v1/exports/{export}/file",
        EXPORTS,
        expect=closed_without(EXPORTS),
    ),  # fmt: skip
    # api/statistics.py: figures only, for the keys that read statistics.
    Operation(
        "statistics",
        "statistics_procedure_statistics",
        "get",
        "/api/v1/procedures/{procedure}/statistics",
        Scope.STATISTICS_READ,
    ),  # fmt: skip
    # api/webhooks.py: an organisation's subscriptions (the target's organisation), for the keys that
    # manage webhooks; a person's key has no such scope (the screens are for administrators). Closed as
    # a whole without the scope (403 before looking, which tells nothing of what exists).
    Operation(
        "webhooks.list",
        "webhooks_subscriptions_list",
        "get",
        "/api/v1/webhooks/subscriptions",
        HOOKS,
        expect=whole_list(HOOKS),
    ),  # fmt: skip
    # An account limited to some procedures may not subscribe to the whole organisation (422 on the
    # missing `procedure`); the others may.
    Operation(
        "webhooks.create",
        "webhooks_subscriptions_create",
        "post",
        "/api/v1/webhooks/subscriptions",
        HOOKS,
        body={"url": "http://127.0.0.1:9/", "events": ["dossier.submitted"]},
        expect=lambda kind, target: (422 if target == UNLISTED else 201) if HOOKS in scopes_of(kind) else 403,
    ),
    Operation(
        "webhooks.detail", "webhooks_subscriptions_get", "get", SUBSCRIPTION, HOOKS, expect=closed_without(HOOKS)
    ),
    Operation(
        "webhooks.update",
        "webhooks_subscriptions_put",
        "put",
        SUBSCRIPTION,
        HOOKS,
        body={"url": "http://127.0.0.1:9/autre", "events": ["dossier.state_changed"]},
        expect=closed_without(HOOKS),
    ),  # fmt: skip
    Operation(
        "webhooks.secret",
        "webhooks_subscriptions_rotate",
        "post",
        SUBSCRIPTION + "/secret",
        HOOKS,
        expect=closed_without(HOOKS),
    ),  # fmt: skip
    Operation(
        "webhooks.disable",
        "webhooks_subscriptions_disable",
        "post",
        SUBSCRIPTION + "/disable",
        HOOKS,
        expect=closed_without(HOOKS),
    ),  # fmt: skip
    Operation(
        "webhooks.enable",
        "webhooks_subscriptions_enable",
        "post",
        SUBSCRIPTION + "/enable",
        HOOKS,
        expect=closed_without(HOOKS),
    ),  # fmt: skip
    Operation(
        "webhooks.deliveries",
        "webhooks_deliveries_list",
        "get",
        SUBSCRIPTION + "/deliveries",
        HOOKS,
        expect=closed_without(HOOKS),
    ),  # fmt: skip
    Operation(
        "webhooks.replay",
        "webhooks_deliveries_replay",
        "post",
        SUBSCRIPTION + "/deliveries/{delivery}/replay",
        HOOKS,
        expect=closed_without(HOOKS),
    ),  # fmt: skip
    Operation(
        "webhooks.delete",
        "webhooks_subscriptions_delete",
        "delete",
        SUBSCRIPTION,
        HOOKS,
        ok=204,
        expect=closed_without(HOOKS),
    ),  # fmt: skip
    # api/retention.py: for the procedures' administrators and archivists as persons (an instructor is
    # neither: 403 before looking), and read by a service account holding retention:read. No service
    # account changes the rules (decision 0031).
    Operation(
        "procedures.retention",
        "retention_retention_get",
        "get",
        "/api/v1/procedures/{procedure}/retention",
        Scope.RETENTION_READ,
        expect=instructor_refused,
    ),  # fmt: skip
    Operation(
        "procedures.retention_change",
        "retention_retention_put",
        "put",
        "/api/v1/procedures/{procedure}/retention",
        Scope.RETENTION_READ,
        body={"retention_years": 3},
        expect=nobody,
    ),  # fmt: skip
]
