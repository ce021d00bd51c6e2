"""Isolation and access matrix over EVERY route of the console API and the v1 API.

The routes come from Django's URL resolver (``tests/security/routes.py``), not from a list kept by hand:
a route added tomorrow is exercised by every matrix below, or makes ``test_every_route_is_known`` fail
until this module knows how to fill its path in (``world.CONSOLE_KWARGS``/``V1_KWARGS``) and what body its
writes take (``BODIES``).

Console API (session + CSRF), for every route and every method it answers:
  (a) a member (admin) of workspace A, against workspace B: B's workspace id in the path -> 404
      ``workspace_not_found``; A's workspace id with B's object ids in the path or the body -> 404 (or a
      400 naming nothing); never one of B's names in the answer; nothing changed;
  (b) a viewer of A: every write -> 403 ``role_required`` and nothing changed (a developer likewise on
      the admin-only operations);
  (c) anonymous: 403 ``not_authenticated`` everywhere but the few public operations listed in PUBLIC;
  (d) logged in, CSRF checks on, no token: every write -> 403 with the envelope, nothing changed.
v1 API (SDK-HMAC-SHA256), for every route and method: no signature -> 401 ``APIGW.0301``; a valid key of a
user of A with the ``workspace`` header naming B -> 403 ``DLF.6888``, nothing changed; a viewer's key ->
every write refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from factory.api.common import WorkspaceApi
from factory.dataarts.views.unsupported import UnsupportedApi
from factory.workspaces.models import AccessKey, Role
from tests.security.routes import (
    ALL_METHODS,
    WRITE_METHODS,
    Route,
    all_routes,
    console_api_routes,
    v1_routes,
)
from tests.security.world import (
    Side,
    World,
    body_text,
    console_call,
    db_snapshot,
    job_document,
    leaked,
    route_values,
    script_document,
    snapshot_diff,
    v1_call,
)

pytestmark = pytest.mark.django_db

ROUTES = console_api_routes()
V1 = v1_routes()

# The body each write sends. A factory takes the side whose objects the body may name: the isolation
# matrix calls it with workspace B's objects against workspace A. None: the operation takes no body.


def _job(side: Side) -> dict[str, Any]:
    return {"document": job_document("probe_job", script="probe_script", connection="probe_conn")}


def _script(side: Side) -> dict[str, Any]:
    return {"document": script_document("probe_script", connection="probe_conn")}


def _profile(side: Side) -> dict[str, Any]:
    return {
        "name": "probe_profile",
        "target": {
            "kind": "remote",
            "endpoint": "https://probe.example.com",
            "projectId": "probeproject",
            "obsFolder": "obs://probe-bucket/stage/",
            "accessKey": "PROBEACCESSKEY",
            "secretKey": "probe-secret",
        },
        "mappings": [{"kind": "connection", "name": "probe_conn", "replace": "probe_prod_conn"}],
        "rewriteRules": [{"find": "probe_dw.", "replace": "probe_prod."}],
    }


def _profile_document(side: Side) -> dict[str, Any]:
    body = {key: value for key, value in _profile(side).items()}
    body["target"] = {k: v for k, v in body["target"].items() if k not in ("accessKey", "secretKey")}
    return {
        "document": {"format": "dataarts-console/environment-profile", "version": 1, "profile": body},
        "accessKey": "PROBEACCESSKEY",
        "secretKey": "probe-secret",
    }


BODIES: dict[tuple[str, str], Callable[[Side], Any] | None] = {
    ("accounts:session-login", "POST"): lambda s: {"username": "probe_user", "password": "probe-password"},
    ("accounts:session-logout", "POST"): None,
    ("accounts:workspaces", "POST"): lambda s: {"name": "probe_workspace"},
    ("accounts:workspace", "PATCH"): lambda s: {"description": "probe"},
    ("accounts:members", "POST"): lambda s: {"username": "probe_user", "role": "viewer"},
    ("accounts:member", "DELETE"): None,
    ("accounts:access-keys", "POST"): lambda s: {"description": "probe"},
    ("accounts:access-key", "DELETE"): None,
    ("development:directories", "POST"): lambda s: {"category": "job", "path": "/probe_dir"},
    ("development:directory", "PATCH"): lambda s: {"name": "probe_dir"},
    ("development:directory", "DELETE"): None,
    ("development:jobs", "POST"): _job,
    ("development:jobs-unlock", "POST"): lambda s: {"ids": [s.job.pk]},
    ("development:jobs-delete", "POST"): lambda s: {"ids": [s.job.pk]},
    ("development:jobs-move", "POST"): lambda s: {"ids": [s.job.pk], "directory": "/"},
    ("development:jobs-owner", "POST"): lambda s: {"ids": [s.job.pk], "owner": "probe_owner"},
    ("development:jobs-selection-count", "POST"): lambda s: {"directoryIds": [s.directory.pk]},
    ("development:job", "PUT"): _job,
    ("development:job", "DELETE"): None,
    ("development:job-submit", "POST"): lambda s: {"description": "probe"},
    ("development:job-rename", "POST"): lambda s: {"name": "probe_job"},
    ("development:job-move", "POST"): lambda s: {"directory": "/"},
    ("development:job-copy", "POST"): lambda s: {"name": "probe_copy"},
    ("development:job-lock", "POST"): None,
    ("development:job-unlock", "POST"): None,
    ("development:job-rollback", "POST"): None,
    ("development:job-schedule-start", "POST"): None,
    ("development:job-schedule-stop", "POST"): None,
    ("development:scripts", "POST"): _script,
    ("development:scripts-unlock", "POST"): lambda s: {"ids": [s.script.pk]},
    ("development:scripts-delete", "POST"): lambda s: {"ids": [s.script.pk]},
    ("development:scripts-move", "POST"): lambda s: {"ids": [s.script.pk], "directory": "/"},
    ("development:scripts-owner", "POST"): lambda s: {"ids": [s.script.pk], "owner": "probe_owner"},
    ("development:scripts-selection-count", "POST"): lambda s: {"ids": [s.script.pk]},
    ("development:script", "PUT"): _script,
    ("development:script", "DELETE"): None,
    ("development:script-submit", "POST"): lambda s: {"description": "probe"},
    ("development:script-rename", "POST"): lambda s: {"name": "probe_script"},
    ("development:script-move", "POST"): lambda s: {"directory": "/"},
    ("development:script-copy", "POST"): lambda s: {"name": "probe_copy"},
    ("development:script-lock", "POST"): None,
    ("development:script-unlock", "POST"): None,
    ("development:script-rollback", "POST"): None,
    ("connections:connections", "POST"): lambda s: {
        "name": "probe_conn",
        "type": "DWS",
        "config": {"host": "10.9.9.9"},
        "secrets": {"password": "probe-secret"},
    },
    ("connections:connection", "PATCH"): lambda s: {"description": "probe"},
    ("connections:connection-test", "POST"): None,
    ("connections:connections-test", "POST"): lambda s: {
        "type": "DWS",
        "config": {"host": "127.0.0.1", "port": 9, "database": "postgres", "userName": "probe"},
        "connectionId": s.connection.pk,
    },
    ("connections:connection", "DELETE"): None,
    ("connections:external-objects", "POST"): lambda s: {"kind": "dli_queue", "name": "probe_queue"},
    ("connections:external-object", "PATCH"): lambda s: {"description": "probe"},
    ("connections:external-object", "DELETE"): None,
    ("connections:resources", "POST"): lambda s: {
        "name": "probe_res",
        "type": "jar",
        "location": "obs://probe-bucket/probe.jar",
    },
    ("connections:resource", "PUT"): lambda s: {
        "name": "probe_res",
        "type": "jar",
        "location": "obs://probe-bucket/probe.jar",
    },
    ("connections:resource", "DELETE"): None,
    ("connections:environment-variables", "POST"): lambda s: {"name": "PROBE_VAR", "value": "probe"},
    ("connections:environment-variable", "PATCH"): lambda s: {"value": "probe"},
    ("connections:environment-variable", "DELETE"): None,
    ("transfer:export-create", "POST"): lambda s: {
        "jobIds": [s.job.pk],
        "directoryIds": [s.directory.pk],
        "scope": "with_dependencies",
    },
    ("transfer:download-delete", "DELETE"): None,
    ("transfer:import-create", "POST"): lambda s: {"obsPath": "obs://probe-bucket/probe.zip"},
    ("transfer:import-preview", "POST"): lambda s: {"policy": "overwrite"},
    ("transfer:import-apply", "POST"): lambda s: {"policy": "overwrite"},
    ("transfer:import-cancel", "POST"): None,
    ("transfer:import-undo", "POST"): lambda s: {"force": False},
    ("promotion:profiles", "POST"): _profile,
    ("promotion:profile", "PUT"): _profile,
    ("promotion:profile", "DELETE"): None,
    ("promotion:profiles-import", "POST"): _profile_document,
    ("promotion:promotions", "POST"): lambda s: {"profileId": s.profile.pk, "jobIds": [s.job.pk]},
    ("promotion:promotion-approve", "POST"): None,
    ("promotion:promotion-reject", "POST"): None,
    ("promotion:promotion-apply", "POST"): None,
}

# Console routes outside any workspace, and why. A new one must be added here after deciding what it
# may show to whom (the isolation matrix then checks that its answers name nothing of workspace B).
USER_ROUTES = {
    "schema": "the OpenAPI document: the API's shape, no data",
    "swagger-ui": "the API documentation page",
    "accounts:session": "the logged-in user and their own workspaces",
    "accounts:session-login": "logging in",
    "accounts:session-logout": "logging out",
    "accounts:workspaces": "the user's own workspaces",
    "accounts:access-keys": "the user's own access keys",
    "accounts:access-key": "one of the user's own access keys (others' are not found)",
    "development:node-types": "the node-type registry, the same for everyone",
    "connections:connection-types": "the connection types' form fields, the same for everyone",
}

# Operations an anonymous request may reach, and why.
PUBLIC = {
    ("schema", "GET"): "the OpenAPI document is public (the SDK docs are); it holds no data",
    ("swagger-ui", "GET"): "the documentation page; every call it makes is authenticated",
    ("accounts:session-login", "POST"): "logging in (still CSRF-checked)",
    ("accounts:session-logout", "POST"): "logging out is harmless for an anonymous user (CSRF-checked)",
}

# Writes a viewer may make, and why.
VIEWER_MAY = {
    ("transfer:download-delete", "DELETE"): (
        "a viewer may remove their own Download Center entries (left from when they could export); "
        "anyone else's is not found"
    ),
}

# Top-level routes that are not APIs: the admin site (staff only), the login pages and the single-page
# console (login required; it renders no data, the API serves it).
OTHER_TOP_LEVEL = {"login", "logout", "console", "console-route"}

_count: Counter[str] = Counter()


def _client(user=None, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _body(route: Route, method: str, side: Side) -> Any:
    if method not in WRITE_METHODS:
        return None
    factory = BODIES[(route.name, method)]
    return factory(side) if factory is not None else None


def _envelope(response: Any) -> dict[str, Any]:
    data = response.json()
    assert set(data) == {"message", "code", "extra"}, data
    return data


def _required_role(route: Route, method: str) -> str:
    view = route.views[method]
    return view.write_role if method in WRITE_METHODS else view.read_role


def _report(failures: list[str], what: str) -> None:
    assert not failures, f"{len(failures)} {what}:\n" + "\n".join(failures)


# --- the matrix knows every route --------------------------------------------------------------------


def test_every_route_is_known(world: World) -> None:
    problems = []
    for route in all_routes():
        if route.pattern.startswith(("api/", "v1/")):
            continue
        if not route.pattern.startswith("admin/") and route.name not in OTHER_TOP_LEVEL:
            problems.append(f"{route}: a new top-level area; decide who may reach it and test it here")
    for route in ROUTES:
        if not route.views:
            problems.append(f"{route}: not a DRF view; the matrix cannot tell its methods")
        try:
            route_values(route, objects=world.b, workspace=world.a)
        except KeyError as exc:
            problems.append(str(exc))
        for method in route.methods:
            if method in WRITE_METHODS and (route.name, method) not in BODIES:
                problems.append(f"{route} {method}: no body in BODIES")
        if route.is_workspace:
            for method, view in route.views.items():
                if not issubclass(view, WorkspaceApi):
                    problems.append(f"{route} {method}: {view.__name__} is not a WorkspaceApi")
        elif route.name not in USER_ROUTES:
            problems.append(f"{route}: outside any workspace; list it in USER_ROUTES with what it shows")
    known = {(r.name, m) for r in ROUTES for m in r.methods}
    problems += [f"BODIES names {key}, which no route answers" for key in BODIES if key not in known]
    problems += [f"PUBLIC names {key}, which no route answers" for key in PUBLIC if key not in known]
    for route in V1:
        if not route.views:
            problems.append(f"{route}: no methods read")
        try:
            route_values(route, objects=world.b)
        except KeyError as exc:
            problems.append(str(exc))
    _report(problems, "routes the matrix does not know how to exercise")


def test_methods_a_route_does_not_answer_are_405(world: World) -> None:
    """The methods read from the resolver are exactly those the routes answer (else the matrix would
    test too little)."""
    client, failures = _client(world.a.admin), []
    for route in ROUTES:
        path = route.path(route_values(route, objects=world.a))
        for method in set(ALL_METHODS) - set(route.methods):
            response = console_call(client, method, path, {} if method in WRITE_METHODS else None)
            _count["405"] += 1
            if response.status_code != 405:
                failures.append(f"{method} {path}: {response.status_code}, expected 405")
    _report(failures, "methods answered that the matrix does not know")


# --- (a) workspace isolation -------------------------------------------------------------------------


@pytest.mark.parametrize("workspace_key", ["pk", "public_id"])
def test_workspace_b_is_not_found_for_a_member_of_a(world: World, workspace_key: str) -> None:
    client, failures, exercised = _client(world.a.admin), [], set()
    names = world.b.names()
    before = db_snapshot()
    for route in (r for r in ROUTES if r.is_workspace):
        path = route.path(route_values(route, objects=world.b, workspace_key=workspace_key))
        for method in route.methods:
            body = _body(route, method, world.b)
            response = console_call(client, method, path, body)
            exercised.add((route.name, method))
            _count["isolation"] += 1
            text = body_text(response)
            if response.status_code != 404 or _envelope(response)["code"] != "workspace_not_found":
                failures.append(f"{method} {path}: {response.status_code} {text[:200]}")
            if found := leaked(text, names, request_text=f"{path} {body}"):
                failures.append(f"{method} {path}: the answer names {found}")
    _report(failures, "answers that reveal or reach workspace B")
    assert snapshot_diff(before, db_snapshot()) == []
    assert exercised == {(r.name, m) for r in ROUTES if r.is_workspace for m in r.methods}


def test_b_objects_are_not_found_through_workspace_a(world: World) -> None:
    """A's workspace id with B's object ids (path or body): not found, nothing of B named or changed."""
    client, failures, exercised = _client(world.a.admin), [], set()
    names = world.b.names()
    before = db_snapshot()
    for route in ROUTES:
        has_objects = any(k != "workspace_id" for k in route.kwargs)
        for method in route.methods:
            body = _body(route, method, world.b)
            names_objects = body is not None and body != _body(route, method, world.a)
            if not (has_objects or names_objects or method == "GET"):
                continue  # a write to A's own collection with nothing of B in it: not an isolation case
            path = route.path(route_values(route, objects=world.b, workspace=world.a))
            response = console_call(client, method, path, body)
            exercised.add((route.name, method))
            _count["isolation"] += 1
            text = body_text(response)
            if has_objects or names_objects:
                expected = (404,) if has_objects else (400, 404)
                if response.status_code not in expected:
                    failures.append(f"{method} {path} {body}: {response.status_code} {text[:200]}")
            elif response.status_code not in (200, 400):  # A's own lists (400: OBS is not configured)
                failures.append(f"{method} {path}: {response.status_code} {text[:200]}")
            if found := leaked(text, names, request_text=f"{path} {body}"):
                failures.append(f"{method} {path}: the answer names {found}")
    # Paths naming several objects: A's parent with one of B's children (A's job, B's version).
    for route in ROUTES:
        nested = [k for k in route.kwargs if k != "workspace_id"]
        if len(nested) < 2:
            continue
        for foreign in nested:
            values = route_values(route, objects=world.a)
            values[foreign] = route_values(route, objects=world.b)[foreign]
            path = route.path(values)
            for method in route.methods:
                body = _body(route, method, world.a)
                response = console_call(client, method, path, body)
                exercised.add((route.name, method))
                _count["isolation"] += 1
                text = body_text(response)
                if response.status_code != 404:
                    failures.append(f"{method} {path}: {response.status_code} {text[:200]}")
                if found := leaked(text, names, request_text=f"{path} {body}"):
                    failures.append(f"{method} {path}: the answer names {found}")
    # B's objects named in query parameters of A's lists.
    base = f"/api/workspaces/{world.a.workspace.pk}"
    for path in (
        f"{base}/tree/?parent={world.b.directory.pk}",
        f"{base}/jobs/?directory={world.b.directory.pk}",
        f"{base}/scripts/?directory={world.b.directory.pk}",
        f"{base}/jobs/?search=bravo",
        f"{base}/connections/?search=bravo",
        f"{base}/resources/?search=bravo",
        f"{base}/environment-variables/?search=BRAVO",
    ):
        response = client.get(path)
        _count["isolation"] += 1
        if response.status_code not in (200, 404):
            failures.append(f"GET {path}: {response.status_code}")
        if found := leaked(body_text(response), names, request_text=path):
            failures.append(f"GET {path}: the answer names {found}")
    _report(failures, "answers that reveal or reach workspace B's objects")
    assert snapshot_diff(before, db_snapshot()) == []
    assert AccessKey.objects.get(access_key_id=world.b.access_key_id).revoked_at is None
    assert {
        (r.name, m) for r in ROUTES if any(k != "workspace_id" for k in r.kwargs) for m in r.methods
    } <= exercised


# --- (b) roles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.DEVELOPER])
def test_roles_below_what_an_operation_needs_are_refused(world: World, role: str) -> None:
    """A viewer of A: every write is 403 (but VIEWER_MAY); a developer: the admin-only operations are.
    Reads a role may not make (the member list) are 403 too. Nothing changes."""
    user = world.viewer if role == Role.VIEWER else world.developer
    rank = {Role.VIEWER: 0, Role.DEVELOPER: 1, Role.ADMIN: 2}
    client, failures, refused = _client(user), [], set()
    before = db_snapshot()
    for route in (r for r in ROUTES if r.is_workspace):
        values = route_values(route, objects=world.a)
        if route.name.startswith("transfer:download") and role == Role.VIEWER:
            values["artifact_id"] = world.a.artifact.pk  # the admin's, not the viewer's own
        path = route.path(values)
        for method in route.methods:
            needed = _required_role(route, method)
            if role == Role.DEVELOPER and method in WRITE_METHODS and rank[needed] <= rank[role]:
                continue  # a write the developer may make: the access tests of each area cover it
            body = _body(route, method, world.a)
            response = console_call(client, method, path, body)
            _count[f"role:{role}"] += 1
            text = body_text(response)
            if rank[needed] > rank[role]:
                refused.add((route.name, method))
                if response.status_code != 403 or _envelope(response)["code"] != "role_required":
                    failures.append(f"{method} {path}: {response.status_code} {text[:200]}, expected 403")
            elif method in WRITE_METHODS and role == Role.VIEWER:
                if (route.name, method) not in VIEWER_MAY:
                    failures.append(f"{method} {path}: {route.views[method].__name__} lets viewers write")
                elif response.status_code != 404:  # the admin's download: not the viewer's to remove
                    failures.append(f"{method} {path}: {response.status_code} {text[:200]}, expected 404")
            elif response.status_code >= 500:
                failures.append(f"{method} {path}: {response.status_code} {text[:200]}")
    _report(failures, f"operations a {role} was allowed or answered wrongly")
    assert snapshot_diff(before, db_snapshot()) == []
    if role == Role.VIEWER:
        writes = {(r.name, m) for r in ROUTES if r.is_workspace for m in r.methods if m in WRITE_METHODS}
        assert writes - refused == set(VIEWER_MAY)
        # The exception is what it says: the viewer's own entry goes.
        own = f"/api/workspaces/{world.a.workspace.pk}/downloads/{world.viewer_artifact.pk}/"
        assert client.delete(own).status_code == 204
    else:
        assert refused == {
            (r.name, m)
            for r in ROUTES
            if r.is_workspace
            for m in r.methods
            if _required_role(r, m) == Role.ADMIN
        }
        assert ("accounts:workspace", "PATCH") in refused and ("accounts:members", "POST") in refused


# --- the requests above are right: A's admin gets through with A's own objects -----------------------

# Operations that may fail for A's admin too in this world, and why (anything else must succeed).
OWN_MAY_FAIL = {
    ("accounts:session-login", "POST"): "probe_user does not exist",
    ("accounts:members", "POST"): "probe_user does not exist",
    ("accounts:member", "DELETE"): "the last admin cannot leave",
    ("accounts:workspaces", "POST"): "only staff create workspaces (tests/api/test_accounts.py covers staff)",
    ("development:directory", "DELETE"): "the directory holds A's job (409 proves it was found)",
    ("transfer:import-create", "POST"): "the OBS bucket does not exist (or OBS is not configured)",
    ("transfer:obs-browse", "GET"): "OBS may not be configured in this test session",
    (
        "transfer:import-undo",
        "POST",
    ): "A's import waits for its choices: nothing to undo (409 proves it was found)",
    ("promotion:promotions", "POST"): "A's profile promotes to a remote console, not promoted to yet (400)",
    ("promotion:promotion-apply", "POST"): "A's promotion waits for approval (409 proves it was found)",
}


def test_the_same_requests_succeed_for_the_owner(world: World) -> None:
    """Control for the matrices: with A's own objects, A's admin gets 2xx from every operation (each
    write rolled back), so the 404s and 403s above come from isolation and roles, not from wrong paths
    or bodies."""
    from django.db import transaction

    client, failures = _client(world.a.admin), []
    for route in ROUTES:
        path = route.path(route_values(route, objects=world.a))
        for method in route.methods:
            client.force_login(world.a.admin)  # again: the logout operation logs out
            with transaction.atomic():
                response = console_call(client, method, path, _body(route, method, world.a))
                transaction.set_rollback(True)
            _count["owner"] += 1
            may_fail = (route.name, method) in OWN_MAY_FAIL
            if response.status_code >= 500 or (response.status_code >= 400 and not may_fail):
                failures.append(f"{method} {path}: {response.status_code} {body_text(response)[:200]}")
    _report(failures, "operations that fail for the workspace's own admin")


# --- (c) anonymous -----------------------------------------------------------------------------------


def test_anonymous_requests_are_refused(world: World) -> None:
    client, failures = _client(), []
    before = db_snapshot()
    for route in ROUTES:
        path = route.path(route_values(route, objects=world.a))
        for method in route.methods:
            body = _body(route, method, world.a)
            response = console_call(client, method, path, body)
            _count["anonymous"] += 1
            if (route.name, method) in PUBLIC:
                if response.status_code >= 500 or response.status_code == 401:
                    failures.append(f"{method} {path}: {response.status_code}")
                continue
            if response.status_code not in (401, 403) or _envelope(response)["code"] != "not_authenticated":
                failures.append(f"{method} {path}: {response.status_code} {body_text(response)[:200]}")
    _report(failures, "operations reachable without logging in")
    assert snapshot_diff(before, db_snapshot()) == []
    # The public ones do nothing for a stranger: a wrong password is a 400, logging out is a no-op.
    login = console_call(client, "POST", "/api/session/login/", {"username": "alpha_admin", "password": "x"})
    assert login.status_code == 400 and "_auth_user_id" not in client.session


# --- (d) CSRF ----------------------------------------------------------------------------------------


def test_writes_without_the_csrf_token_are_refused(world: World) -> None:
    logged_in = _client(world.a.admin, enforce_csrf_checks=True)
    anonymous = _client(enforce_csrf_checks=True)
    failures = []
    before = db_snapshot()
    for route in ROUTES:
        path = route.path(route_values(route, objects=world.a))
        for method in (m for m in route.methods if m in WRITE_METHODS):
            clients = [logged_in] + ([anonymous] if (route.name, method) in PUBLIC else [])
            for client in clients:
                response = console_call(client, method, path, _body(route, method, world.a))
                _count["csrf"] += 1
                envelope = _envelope(response) if response.status_code == 403 else {}
                if response.status_code != 403 or not envelope.get("message", "").startswith("CSRF Failed"):
                    failures.append(f"{method} {path}: {response.status_code} {body_text(response)[:200]}")
    _report(failures, "writes accepted without a CSRF token")
    assert snapshot_diff(before, db_snapshot()) == []

    # With the token the single-page app sends, the same client gets through.
    logged_in.get("/api/session/")
    token = logged_in.cookies["csrftoken"].value
    response = logged_in.post(
        "/api/access-keys/",
        {"description": "x"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


# --- the v1 API --------------------------------------------------------------------------------------


def _v1_body(method: str) -> Any:
    return {} if method in ("POST", "PUT") else None


def test_v1_without_a_signature_is_401(world: World) -> None:
    clients = {"anonymous": _client(), "logged-in session": _client(world.a.admin)}
    failures = []
    before = db_snapshot()
    for route in V1:
        path = route.path(route_values(route, objects=world.b))
        for who, client in clients.items():
            for method in ALL_METHODS:
                response = console_call(client, method, path, _v1_body(method))
                _count["v1-unsigned"] += 1
                data = response.json()
                if method in route.views:
                    ok = response.status_code == 401 and data.get("error_code") == "APIGW.0301"
                    ok = ok and response.get("WWW-Authenticate") == "SDK-HMAC-SHA256"
                else:  # the gateway knows an API as method + path
                    ok = response.status_code == 404 and data.get("error_code") == "APIGW.0101"
                if not ok:
                    failures.append(f"{who} {method} {path}: {response.status_code} {data}")
    _report(failures, "v1 answers to unsigned requests")
    assert snapshot_diff(before, db_snapshot()) == []


@pytest.mark.parametrize("header", ["public_id", "name"])
def test_v1_key_of_a_cannot_reach_workspace_b(world: World, header: str) -> None:
    client, failures = Client(), []
    key = world.keys[world.a.admin.username]
    workspace = getattr(world.b.workspace, header)
    names = [n for n in world.b.names() if n != workspace]
    before = db_snapshot()
    for route in V1:
        path = route.path(route_values(route, objects=world.b))
        for method in route.methods:
            body = _v1_body(method)
            response = v1_call(client, key=key, method=method, path=path, workspace=workspace, body=body)
            _count["v1-isolation"] += 1
            text = body_text(response)
            data = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
            if response.status_code != 403 or data.get("error_code") != "DLF.6888":
                failures.append(f"{method} {path}: {response.status_code} {text[:200]}")
            if found := leaked(text, names, request_text=path):
                failures.append(f"{method} {path}: the answer names {found}")
    _report(failures, "v1 operations that reached workspace B")
    assert snapshot_diff(before, db_snapshot()) == []


def test_v1_b_objects_are_not_found_through_workspace_a(world: World) -> None:
    """A's key and workspace, B's job, script, resource and task in the path: not found, nothing changed."""
    client, failures = Client(), []
    key = world.keys[world.a.admin.username]
    names = world.b.names()
    before = db_snapshot()
    for route in V1:
        if not any(k != "project_id" for k in route.kwargs):
            continue  # A's own collections
        path = route.path(route_values(route, objects=world.b))
        for method in route.methods:
            response = v1_call(
                client,
                key=key,
                method=method,
                path=path,
                workspace=world.a.workspace.public_id,
                body=_v1_body(method),
            )
            _count["v1-isolation"] += 1
            text = body_text(response)
            data = response.json()
            # DataArts answers a missing object with 400 and its DLF code; the engine operations with DLF.9001.
            if response.status_code not in (400, 404) or not str(data.get("error_code", "")).startswith(
                "DLF."
            ):
                failures.append(f"{method} {path}: {response.status_code} {text[:200]}")
            if found := leaked(text, names, request_text=path):
                failures.append(f"{method} {path}: the answer names {found}")
    _report(failures, "v1 operations that reached workspace B's objects")
    assert snapshot_diff(before, db_snapshot()) == []


def test_v1_viewer_key_cannot_write(world: World) -> None:
    client, failures = Client(), []
    key = world.keys[world.viewer.username]
    before = db_snapshot()
    for route in V1:
        path = route.path(route_values(route, objects=world.a))
        for method in (m for m in route.methods if m in WRITE_METHODS):
            response = v1_call(
                client,
                key=key,
                method=method,
                path=path,
                workspace=world.a.workspace.public_id,
                body=_v1_body(method),
            )
            _count["v1-viewer"] += 1
            data = response.json()
            if issubclass(route.views[method], UnsupportedApi):
                ok = response.status_code == 400  # "no execution engine", whoever asks
            else:
                ok = response.status_code == 403 and data.get("error_code") == "DLF.6888"
            if not ok:
                failures.append(f"{method} {path}: {response.status_code} {data}")
    _report(failures, "v1 writes a viewer's key was allowed")
    assert snapshot_diff(before, db_snapshot()) == []


def test_zz_matrix_size(capsys) -> None:
    """Not a check: prints how many requests each matrix made (run with -s to see it)."""
    with capsys.disabled():
        routes = len(ROUTES) + len(V1)
        pairs = sum(len(r.methods) for r in ROUTES) + sum(len(r.methods) for r in V1)
        print(f"\nsecurity matrix: {routes} routes, {pairs} route-methods; requests by role: {dict(_count)}")
