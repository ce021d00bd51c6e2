"""The console API of environment profiles: what it answers, who may write, and what it never shows."""

from __future__ import annotations

import json

import pytest

from factory.promotion.models import EnvironmentProfile
from factory.workspaces.models import Role
from tests.builders import client_for, member_make, profile_body, profile_make, user_make, workspace_make

pytestmark = pytest.mark.django_db

SECRET_KEY = "Prod-Remote-Secret-1"


@pytest.fixture
def world():
    admin = user_make("dev_admin")
    dev = workspace_make("dev", admin=admin)
    prod = workspace_make("prod", admin=admin)
    return {
        "admin": admin,
        "dev": dev,
        "prod": prod,
        "viewer": member_make(dev, "dev_viewer", Role.VIEWER),
        "developer": member_make(dev, "dev_developer", Role.DEVELOPER),
    }


def _base(workspace) -> str:
    return f"/api/workspaces/{workspace.pk}/profiles/"


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def _put(client, path, body):
    return client.put(path, json.dumps(body), content_type="application/json")


def test_an_admin_creates_lists_reads_updates_and_deletes_a_profile(world):
    client, base = client_for(world["admin"]), _base(world["dev"])
    response = _post(
        client, base, profile_body("prod", requiresApproval=True, schedulePolicy="keep_target_schedules")
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert SECRET_KEY not in response.content.decode()
    assert created["target"]["secretKeySet"] is True and created["requiresApproval"] is True
    assert created["mappings"] == [
        {"kind": "connection", "name": "dev_dws", "connectionType": "DWS", "replace": "prod_dws"}
    ]
    assert created["rewriteRules"] == [
        {"find": "dev_dw.", "replace": "prod_dw.", "regex": False, "wholeWord": True}
    ]
    assert (created["duplicatePolicy"], created["lockPolicy"], created["targetStatus"]) == (
        "overwrite",
        "take",
        "submitted",
    )

    listed = client.get(base).json()
    assert listed["count"] == 1 and listed["results"][0]["name"] == "prod"
    detail = client.get(f"{base}{created['id']}/")
    assert detail.json() == {**created, "updatedAt": detail.json()["updatedAt"]}

    body = profile_body("prod", target={"kind": "workspace", "workspaceId": world["prod"].pk})
    updated = _put(client, f"{base}{created['id']}/", body)
    assert updated.status_code == 200, updated.content
    assert updated.json()["target"]["workspaceName"] == "prod"
    assert updated.json()["target"]["secretKeySet"] is False

    assert client.delete(f"{base}{created['id']}/").status_code == 204
    assert not EnvironmentProfile.objects.exists()


def test_the_list_reads_a_fixed_number_of_rows(world, django_assert_max_num_queries):
    for index in range(6):
        profile_make(workspace=world["dev"], user=world["admin"], name=f"p{index}")
    client = client_for(world["admin"])
    client.get(_base(world["dev"]))  # the session and membership read once
    with django_assert_max_num_queries(6):
        response = client.get(_base(world["dev"]))
    assert response.json()["count"] == 6


def test_members_read_but_only_admins_write(world):
    profile = profile_make(workspace=world["dev"], user=world["admin"], name="prod")
    base = _base(world["dev"])
    for who in ("viewer", "developer"):
        client = client_for(world[who])
        assert client.get(base).json()["count"] == 1
        assert client.get(f"{base}{profile.pk}/").status_code == 200
        assert client.get(f"{base}{profile.pk}/export/").status_code == 200
        for response in (
            _post(client, base, profile_body("other")),
            _put(client, f"{base}{profile.pk}/", profile_body("prod")),
            client.delete(f"{base}{profile.pk}/"),
            _post(client, f"{base}import/", {"document": {}}),
        ):
            assert response.status_code == 403 and response.json()["code"] == "role_required"
    assert EnvironmentProfile.objects.get().name == "prod"


def test_another_workspaces_profile_is_not_found(world):
    stranger = user_make("stranger")
    elsewhere = workspace_make("elsewhere", admin=stranger)
    theirs = profile_make(workspace=elsewhere, user=stranger, name="their_secret_target")
    client, base = client_for(world["admin"]), _base(world["dev"])
    for response in (
        client.get(f"{base}{theirs.pk}/"),
        client.get(f"{base}{theirs.pk}/export/"),
        _put(client, f"{base}{theirs.pk}/", profile_body("x")),
        client.delete(f"{base}{theirs.pk}/"),
    ):
        assert response.status_code == 404 and response.json()["code"] == "profile_not_found"
        assert "their_secret_target" not in response.content.decode()
    # A target in a workspace the admin is not a member of: refused without naming it.
    response = _post(
        client, base, profile_body("x", target={"kind": "workspace", "workspaceId": elsewhere.pk})
    )
    assert response.status_code == 400 and response.json()["code"] == "profile_target_invalid"
    assert "elsewhere" not in response.content.decode()
    assert client.get(_base(elsewhere)).status_code == 404


def test_errors_name_their_fields(world):
    client = client_for(world["admin"])
    body = profile_body(
        "prod", rewriteRules=[{"find": "(a+)+$", "replace": "x", "regex": True}], expressionTimeZone="Nowhere"
    )
    response = _post(client, _base(world["dev"]), body)
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "invalid"  # the first problem is the time zone's
    assert set(data["extra"]["fields"]) == {"expressionTimeZone", "rewriteRules.0.find"}
    # What the serializer refuses names its field too (a kind no map takes).
    response = _post(
        client,
        _base(world["dev"]),
        profile_body("prod", mappings=[{"kind": "job", "name": "a", "replace": "b"}]),
    )
    assert response.status_code == 400 and "mappings" in json.dumps(response.json()["extra"]["fields"])


def test_export_downloads_the_document_and_import_brings_it_back(world):
    client = client_for(world["admin"])
    created = _post(
        client, _base(world["dev"]), profile_body("prod", publicParams=[{"name": "token", "value": "Tok-3n"}])
    ).json()
    response = client.get(f"{_base(world['dev'])}{created['id']}/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="profile-prod.json"'
    text = response.content.decode()
    assert SECRET_KEY not in text and "Tok-3n" not in text and "PRODACCESSKEY0001" not in text
    document = json.loads(text)

    target = _base(world["prod"]) + "import/"
    refused = _post(client, target, {"document": document})
    assert refused.status_code == 400 and set(refused.json()["extra"]["fields"]) == {"accessKey", "secretKey"}
    imported = _post(client, target, {"document": document, "accessKey": "AK2", "secretKey": "SK2"})
    assert imported.status_code == 201, imported.content
    assert imported.json()["replaced"] is False
    assert imported.json()["unsetSecrets"] == ["public parameter token"]
    assert imported.json()["profile"]["target"]["secretKeySet"] is True
    again = _post(client, target, {"document": document, "accessKey": "AK2", "secretKey": "SK2"})
    assert again.status_code == 409 and again.json()["code"] == "profile_exists"
    replaced = _post(
        client, target, {"document": document, "replace": True, "accessKey": "AK3", "secretKey": "SK3"}
    )
    assert replaced.status_code == 200 and replaced.json()["replaced"] is True
    bad = _post(client, target, {"document": {"format": "zip"}})
    assert bad.status_code == 400 and bad.json()["code"] == "profile_document_invalid"


def test_the_schema_describes_every_field(world):
    schema = client_for(world["admin"]).get("/api/schema/?format=json").json()
    profile = schema["components"]["schemas"]["Profile"]["properties"]
    assert {"target", "mappings", "publicParams", "jobParams", "environmentVariables", "rewriteRules"} <= set(
        profile
    )
    assert {"duplicatePolicy", "lockPolicy", "releaseLocks", "targetStatus", "schedulePolicy"} <= set(profile)
    assert {"expressionTimeZone", "requiresApproval", "createdBy", "updatedBy"} <= set(profile)
    target_input = schema["components"]["schemas"]["ProfileTargetInputRequest"]["properties"]
    assert target_input["secretKey"]["writeOnly"] is True
    assert "/api/workspaces/{workspace_id}/profiles/import/" in schema["paths"]
