"""The API's errors as its OpenAPI document declares them (each status an operation can answer,
in one shape), and as they are answered: the rate limit (429) in that same shape."""

import pytest
from django.core.checks import Tags, run_checks
from jsonschema import Draft202012Validator
from ninja import Schema

from guichet.api import main
from tests.factories import OrganisationFactory

from .keys import bearer, service_account, service_key

pytestmark = pytest.mark.django_db

ALWAYS = {"413", "422", "429"}
WITH_KEY = {"401", "403"}


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", path, operation


def test_every_operation_declares_the_errors_it_can_answer(client):
    document = client.get("/api/v1/openapi.json").json()
    error_schema = document["components"]["schemas"]["ErrorOut"]
    assert set(error_schema["properties"]) == {"detail", "errors"} and error_schema["required"] == ["detail"]
    seen = 0
    for name, path, operation in operations(document):
        seen += 1
        declared = set(operation["responses"])
        # One success status: 200, 201 (created), 202 (a job started: an export) or 204 (deleted, no body).
        success = {status for status in declared if status.startswith("2")}
        assert len(success) == 1 and success <= {"200", "201", "202", "204"}, (name, sorted(success))
        expected = success | ALWAYS
        if operation.get("security"):
            expected |= WITH_KEY
        if "{" in path:
            expected.add("404")
        assert expected <= declared, f"{name} does not declare {sorted(expected - declared)}"
        for status in declared - success:
            schema = operation["responses"][status]["content"]["application/json"]["schema"]
            if schema == {"$ref": "#/components/schemas/ConflictOut"} and status == "409":
                continue  # the error shape, with where the dossier stands (checked below)
            if schema == {"$ref": "#/components/schemas/CursorExpiredOut"} and status == "410":
                continue  # the error shape, with the cursor to resume from (checked below)
            assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (name, status)
    assert seen >= 7
    conflict = document["components"]["schemas"]["ConflictOut"]
    assert set(conflict["properties"]) == {"detail", "errors", "state"} and conflict["required"] == ["detail", "state"]
    expired = document["components"]["schemas"]["CursorExpiredOut"]
    assert set(expired["properties"]) == {"detail", "errors", "cursor"} and expired["required"] == ["detail", "cursor"]
    # The instructors' operations need a key; the open data does not.
    instruction = [op for name, _, op in operations(document) if "/instruction/" in name]
    assert instruction and all(op.get("security") for op in instruction)
    assert "404" in document["paths"]["/api/v1/observatory/quality"]["get"]["responses"]


def test_beyond_the_rate_the_api_answers_429_in_its_shape(client, monkeypatch):
    monkeypatch.setattr(main.RATE_LIMIT, "num_requests", 2)
    assert [client.get("/api/v1/observatory/programme").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/observatory/programme")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json() == {"detail": "Trop de requêtes : réessayez après le délai indiqué par Retry-After."}


def test_no_two_schemas_of_the_api_share_a_name():
    # The OpenAPI document names its components after the classes (schemas, enumerations): two
    # classes of one name make one component, and an operation is then documented with the other's
    # shape (two `ProcedureOut`, two TextChoices called `Status` were).
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    seen: dict[str, tuple[str, dict]] = {}
    clashes = set()
    for cls in subclasses(Schema):
        if not cls.__module__.startswith("guichet.api."):
            continue
        schema = cls.model_json_schema(ref_template="#/components/schemas/{model}")
        defs = schema.pop("$defs", {})
        for name, definition in [(cls.__name__, schema), *defs.items()]:
            origin = seen.setdefault(name, (cls.__qualname__, definition))
            if origin[1] != definition:
                clashes.add(f"{name} ({origin[0]} / {cls.__qualname__})")
    assert len(seen) > 20
    assert sorted(clashes) == []


def test_a_body_that_is_not_json_is_a_located_422_in_french(client):
    headers = bearer(service_key(service_account(OrganisationFactory(), ["webhooks:manage"])))
    response = client.post(
        "/api/v1/webhooks/subscriptions", "{pas du json", content_type="application/json", headers=headers
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Requête invalide.",
        "errors": [{"loc": ["body"], "msg": "Le corps n’est pas du JSON valide."}],
    }


def test_a_forged_forwarded_for_header_does_not_escape_the_rate_limit(client, monkeypatch):
    # Without a key the budget is the client address's: REMOTE_ADDR, which the deployment sets
    # (docs/api.md); a header any client can write names nobody.
    monkeypatch.setattr(main.RATE_LIMIT, "num_requests", 2)
    statuses = [
        client.get("/api/v1/observatory/programme", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_check_deploy_warns_when_the_rate_limit_is_counted_per_process(settings):
    def deploy_issues() -> dict[str, str]:
        return {issue.id: issue.msg for issue in run_checks(include_deployment_checks=True, tags=[Tags.security])}

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "comptée par processus" in deploy_issues()["api.W001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    assert "api.W001" not in deploy_issues()


def test_the_api_s_own_validation_errors_are_located_and_in_french(client):
    headers = bearer(service_key(service_account(OrganisationFactory(), ["dossiers:read", "webhooks:manage"])))
    not_a_number = client.get("/api/v1/dossiers/abc", headers=headers).json()["errors"]
    assert not_a_number == [
        {"type": "int_parsing", "loc": ["path", "dossier_id"], "msg": "Un nombre entier est attendu."}
    ]
    too_many = client.get("/api/v1/dossiers?limit=9999", headers=headers).json()["errors"]
    assert too_many[0]["loc"] == ["query", "limit"] and too_many[0]["msg"] == "La valeur doit être au plus 200."
    body = {"url": "x" * 600, "events": ["nothing"]}
    errors = client.post("/api/v1/webhooks/subscriptions", body, content_type="application/json", headers=headers)
    messages = {".".join(map(str, error["loc"][2:])): error["msg"] for error in errors.json()["errors"]}
    assert messages["url"] == "Au plus 500 caractères."
    assert messages["events.0"].startswith("Valeur inconnue : attendue parmi « dossier.submitted »")
    missing = client.post("/api/v1/webhooks/subscriptions", {}, content_type="application/json", headers=headers)
    assert {error["msg"] for error in missing.json()["errors"]} == {"Ce champ est obligatoire."}


def test_every_request_body_and_error_shape_has_examples_that_hold(client):
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    named = {"ErrorOut", "ConflictOut", "CursorExpiredOut"}
    for _, _, operation in operations(document):
        for content in operation.get("requestBody", {}).get("content", {}).values():
            if "$ref" in content["schema"]:
                named.add(content["schema"]["$ref"].rsplit("/", 1)[-1])
    assert len(named) >= 12
    without = sorted(name for name in named if not schemas[name].get("examples"))
    assert not without, f"schemas without examples: {without}"
    for name in named:
        validator = Draft202012Validator({**schemas[name], "components": document["components"]})
        for example in schemas[name]["examples"]:
            assert not list(validator.iter_errors(example)), (name, example)


def test_a_401_says_which_scheme_to_use(client):
    # RFC 6750: a 401 names the scheme, so that a client library knows it needs a bearer key.
    for headers in ({}, {"Authorization": "Bearer gcs_inconnue"}):
        response = client.get("/api/v1/dossiers", headers=headers)
        assert response.status_code == 401 and response["WWW-Authenticate"] == 'Bearer realm="api"'
        assert response.json() == {"detail": "Clé d’API absente, inconnue ou révoquée."}


def test_an_unexpected_failure_is_a_500_in_the_api_s_shape(client, monkeypatch):
    def failing(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(main.Principal, "procedures", failing)
    headers = bearer(service_key(service_account(OrganisationFactory(), ["dossiers:read"])))
    client.raise_request_exception = False
    response = client.get("/api/v1/procedures", headers=headers)
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Erreur inattendue du service : réessayez plus tard."}
