"""Console API: session, workspaces, members and access keys."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from factory.workspaces.models import AccessKey, Membership, Role
from factory.workspaces.selectors import access_key_secret_get
from factory.workspaces.services import access_key_create
from tests.builders import PASSWORD, client_for, user_make, workspace_make

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def people():
    admin, dev, viewer, outsider = (user_make(n) for n in ("admin1", "dev", "viewer", "outsider"))
    workspace = workspace_make("default", admin=admin, developers=(dev,), viewers=(viewer,), is_default=True)
    other = workspace_make("other", admin=outsider)
    return {
        "admin": admin,
        "dev": dev,
        "viewer": viewer,
        "outsider": outsider,
        "ws": workspace,
        "other": other,
    }


def test_session_is_403_when_anonymous():
    response = Client().get("/api/session/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_session_lists_the_users_workspaces_with_role_and_lock_policy(people):
    response = client_for(people["dev"]).get("/api/session/")

    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"id": people["dev"].pk, "username": "dev", "isStaff": False}
    assert body["csrfHeader"] == "X-CSRFToken"
    assert [(w["name"], w["role"], w["lockPolicy"]) for w in body["workspaces"]] == [
        ("default", "developer", "soft")
    ]
    assert body["workspaces"][0]["projectId"] == people["ws"].project_id
    assert "csrftoken" in response.cookies


def test_json_login_checks_csrf_and_credentials(people):
    client = Client(enforce_csrf_checks=True)
    assert (
        client.post("/api/session/login/", {"username": "dev", "password": PASSWORD}, JSON).status_code == 403
    )

    client.get("/login/")  # sets the CSRF cookie, as the SPA's first page load does
    token = client.cookies["csrftoken"].value
    bad = client.post(
        "/api/session/login/", {"username": "dev", "password": "nope"}, JSON, HTTP_X_CSRFTOKEN=token
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_credentials"

    ok = client.post(
        "/api/session/login/", {"username": "dev", "password": PASSWORD}, JSON, HTTP_X_CSRFTOKEN=token
    )
    assert ok.status_code == 200
    assert ok.json()["user"]["username"] == "dev"
    assert client.get("/api/session/").status_code == 200

    token = client.cookies["csrftoken"].value  # rotated on login
    assert client.post("/api/session/logout/", HTTP_X_CSRFTOKEN=token).status_code == 204
    assert client.get("/api/session/").status_code == 403


def test_staff_create_a_workspace_and_become_its_admin(people):
    staff = user_make("ops", is_staff=True)
    client = client_for(staff)

    created = client.post("/api/workspaces/", {"name": "etl_test", "lockPolicy": "hard"}, content_type=JSON)
    assert created.status_code == 201, created.json()
    assert created.json()["name"] == "etl_test" and created.json()["role"] == "admin"
    assert created.json()["lockPolicy"] == "hard" and created.json()["obsAllowList"] == ["*"]
    assert [w["name"] for w in client.get("/api/session/").json()["workspaces"]] == ["etl_test"]

    taken = client.post("/api/workspaces/", {"name": "etl_test"}, content_type=JSON)
    assert taken.status_code == 409 and taken.json()["code"] == "workspace_exists"
    refused = client_for(people["admin"]).post("/api/workspaces/", {"name": "mine"}, content_type=JSON)
    assert refused.status_code == 403 and refused.json()["code"] == "staff_required"
    assert not Membership.objects.filter(workspace__name="mine").exists()


def test_workspaces_list_and_detail_show_only_the_users_own(people):
    client = client_for(people["dev"])

    listing = client.get("/api/workspaces/").json()
    assert listing["count"] == 1
    assert [w["name"] for w in listing["results"]] == ["default"]
    assert client.get(f"/api/workspaces/{people['ws'].pk}/").json()["role"] == "developer"
    assert client.get(f"/api/workspaces/{people['ws'].public_id}/").status_code == 200
    response = client.get(f"/api/workspaces/{people['other'].pk}/")
    assert response.status_code == 404
    assert "other" not in response.content.decode()


@pytest.mark.parametrize("who,status", [("admin", 200), ("dev", 403), ("viewer", 403), ("outsider", 404)])
def test_only_admins_change_the_lock_policy(people, who, status):
    workspace = people["ws"]
    response = client_for(people[who]).patch(f"/api/workspaces/{workspace.pk}/", {"lockPolicy": "hard"}, JSON)

    assert response.status_code == status
    workspace.refresh_from_db()
    assert workspace.lock_policy == ("hard" if status == 200 else "soft")
    if status == 200:
        assert response.json()["lockPolicy"] == "hard"


def test_lock_policy_values_are_checked(people):
    response = client_for(people["admin"]).patch(
        f"/api/workspaces/{people['ws'].pk}/", {"lockPolicy": "x"}, JSON
    )
    assert response.status_code == 400
    assert "lockPolicy" in response.json()["extra"]["fields"]


def test_admins_manage_members(people):
    admin, workspace = client_for(people["admin"]), people["ws"]
    newcomer = user_make("newcomer")

    members = admin.get(f"/api/workspaces/{workspace.pk}/members/").json()["results"]
    assert [(m["username"], m["role"]) for m in members] == [
        ("admin1", "admin"),
        ("dev", "developer"),
        ("viewer", "viewer"),
    ]
    added = admin.post(
        f"/api/workspaces/{workspace.pk}/members/", {"username": "newcomer", "role": "viewer"}, JSON
    )
    assert added.status_code == 200
    assert Membership.objects.get(workspace=workspace, user=newcomer).role == Role.VIEWER
    assert (
        admin.post(
            f"/api/workspaces/{workspace.pk}/members/", {"username": "ghost", "role": "viewer"}, JSON
        ).status_code
        == 404
    )
    demote = admin.post(
        f"/api/workspaces/{workspace.pk}/members/", {"username": "admin1", "role": "viewer"}, JSON
    )
    assert demote.status_code == 409
    assert admin.delete(f"/api/workspaces/{workspace.pk}/members/newcomer/").status_code == 204
    assert not Membership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("who", ["dev", "viewer"])
def test_members_are_admin_only(people, who):
    client = client_for(people[who])
    workspace = people["ws"]
    assert client.get(f"/api/workspaces/{workspace.pk}/members/").status_code == 403
    response = client.post(
        f"/api/workspaces/{workspace.pk}/members/", {"username": who, "role": "admin"}, JSON
    )
    assert response.status_code == 403
    assert Membership.objects.get(workspace=workspace, user=people[who]).role != Role.ADMIN


def test_the_access_key_secret_is_shown_once(people):
    client = client_for(people["dev"])

    created = client.post("/api/access-keys/", {"workspaceId": people["ws"].pk, "description": "sdk"}, JSON)

    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    body = created.json()
    ak, sk = body["accessKeyId"], body["secretAccessKey"]
    assert re.fullmatch(r"[A-Z0-9]{20}", ak) and re.fullmatch(r"[A-Za-z0-9]{40}", sk)
    assert body["projectId"] == people["ws"].project_id
    listing = client.get("/api/access-keys/")
    assert sk not in listing.content.decode()
    assert AccessKey.objects.get(access_key_id=ak).secret_encrypted not in listing.content.decode()
    (row,) = listing.json()["results"]
    assert row["accessKeyId"] == ak and row["revoked"] is False and row["lastUsedAt"] is None
    assert "secretAccessKey" not in row


def test_access_keys_are_private_to_their_owner(people):
    key, _ = access_key_create(user=people["admin"])
    client = client_for(people["dev"])

    assert client.get("/api/access-keys/").json()["count"] == 0
    assert client.delete(f"/api/access-keys/{key.access_key_id}/").status_code == 404
    assert access_key_secret_get(access_key_id=key.access_key_id) is not None

    owner = client_for(people["admin"])
    assert owner.delete(f"/api/access-keys/{key.access_key_id}/").status_code == 204
    assert owner.get("/api/access-keys/").json()["results"][0]["revoked"] is True
    assert access_key_secret_get(access_key_id=key.access_key_id) is None


def test_a_key_for_a_foreign_workspace_is_refused(people):
    response = client_for(people["dev"]).post("/api/access-keys/", {"workspaceId": people["other"].pk}, JSON)
    assert response.status_code == 404
    assert not AccessKey.objects.exists()


MY_PATHS = {
    "/api/session/": {"get"},
    "/api/session/login/": {"post"},
    "/api/session/logout/": {"post"},
    "/api/workspaces/": {"get", "post"},
    "/api/workspaces/{workspace_id}/": {"get", "patch"},
    "/api/workspaces/{workspace_id}/members/": {"get", "post"},
    "/api/workspaces/{workspace_id}/members/{username}/": {"delete"},
    "/api/access-keys/": {"get", "post"},
    "/api/access-keys/{access_key_id}/": {"delete"},
    "/api/workspaces/{workspace_id}/connections/": {"get", "post"},
    "/api/workspaces/{workspace_id}/connections/{connection_id}/": {"get", "patch", "delete"},
    "/api/workspaces/{workspace_id}/external-objects/": {"get", "post"},
    "/api/workspaces/{workspace_id}/external-objects/{object_id}/": {"get", "patch", "delete"},
    "/api/workspaces/{workspace_id}/resources/": {"get", "post"},
    "/api/workspaces/{workspace_id}/resources/{resource_id}/": {"get", "put", "delete"},
    "/api/workspaces/{workspace_id}/environment-variables/": {"get", "post"},
    "/api/workspaces/{workspace_id}/environment-variables/{variable_id}/": {"get", "patch", "delete"},
}


def test_the_openapi_schema_types_every_endpoint():
    # The schema is for logged-in users only (it was public; see tests/security/test_deployment.py).
    schema = client_for(user_make("reader")).get("/api/schema/", {"format": "json"}).json()

    for path, methods in MY_PATHS.items():
        assert set(schema["paths"][path]) - {"parameters"} == methods, path
        for method in methods:
            operation = schema["paths"][path][method]
            responses = operation["responses"]
            success = next(code for code in responses if code.startswith("2"))
            if success != "204":
                assert "$ref" in responses[success]["content"]["application/json"]["schema"], (path, method)
            if method in ("post", "patch", "put") and not path.endswith("logout/"):
                assert "$ref" in operation["requestBody"]["content"]["application/json"]["schema"], (
                    path,
                    method,
                )
    secret_props = schema["components"]["schemas"]["Connection"]["properties"]
    assert "secrets" not in secret_props and "secretFields" in secret_props
