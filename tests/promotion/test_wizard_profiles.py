"""An environment profile in the import wizard of its target workspace (the console API): the profiles
that promote to the workspace are listed to members of their source; a profile's choices for the inspected
package fill step 2 without its masked values, which an apply naming the profile gets on the server."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import UploadedFile

from factory.connections.environment import environment_variable_create
from factory.crypto import secret_decrypt, secrets_decrypt
from factory.development.models import EnvironmentVariable, Job, Script
from factory.transfer.exports import DEVELOP, WITH_DEPENDENCIES, ExportRequest, export_write
from factory.transfer.imports import import_apply, import_create, import_inspect, import_preview
from factory.transfer.models import ImportChange, SystemTask
from factory.workspaces.models import Role
from tests.builders import client_for, member_make, profile_make, workspace_make
from tests.promotion.promoting import media_root, node_properties, world_build

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return media_root(settings, tmp_path)


def _world():
    world = world_build()
    # The profile also sets two environment variables of prod, one masked.
    from factory.api.promotion.profiles import ProfileInputSerializer, spec_from_input
    from factory.promotion.services import profile_update
    from tests.builders import profile_body

    body = profile_body(
        "to_prod",
        target={"kind": "workspace", "workspaceId": world.prod.pk},
        rewriteRules=[{"find": "dev_dw", "replace": "prod_dw"}],
        publicParams=[{"name": "region", "value": "prod"}],
        environmentVariables=[
            {"name": "DB_HOST", "value": "prod-db.local"},
            {"name": "DB_PASSWORD", "value": "Pw-Prod-9", "masked": True},
        ],
        keepSchedules=False,
    )
    data = ProfileInputSerializer(data=body)
    data.is_valid(raise_exception=True)
    world.profile = profile_update(
        profile=world.profile, user=world.ada, spec=spec_from_input(data.validated_data)
    )
    environment_variable_create(workspace=world.prod, name="DB_HOST", value="dev-db.local")
    return world


def _inspected_import(world, user) -> SystemTask:
    """The dev job's package (with its script) uploaded to prod's import wizard and inspected."""
    request = ExportRequest(job_ids=(world.job.pk,), scope=WITH_DEPENDENCIES, status=DEVELOP)
    with tempfile.TemporaryDirectory() as folder:
        written = export_write(workspace=world.dev, user=user, request=request, out=Path(folder))
        path = Path(written.location)
        with path.open("rb") as handle:
            upload = UploadedFile(
                file=handle, name=path.name, content_type="application/zip", size=path.stat().st_size
            )
            task = import_create(workspace=world.prod, user=user, policy="skip", upload=upload, enqueue=False)
    import_inspect(task_id=task.pk)
    task.refresh_from_db()
    return task


def test_the_wizard_lists_the_profiles_that_promote_to_its_workspace():
    world = _world()
    other = workspace_make("sandbox", admin=world.ada)
    profile_make(
        workspace=world.dev,
        user=world.ada,
        name="to_sandbox",
        target={"kind": "workspace", "workspaceId": other.pk},
    )
    listed = client_for(world.dan).get(f"/api/workspaces/{world.prod.pk}/import-profiles/")
    assert listed.status_code == 200, listed.content
    assert [(p["name"], p["workspaceName"], p["duplicatePolicy"]) for p in listed.json()] == [
        ("to_prod", "dev", "overwrite")
    ]
    # A developer of prod who is no member of dev is offered none of dev's profiles, nor is a viewer of dev
    # (who may not promote from it).
    pam = member_make(world.prod, "pam", Role.DEVELOPER)
    assert client_for(pam).get(f"/api/workspaces/{world.prod.pk}/import-profiles/").json() == []
    member_make(world.dev, "pam", Role.VIEWER)
    assert client_for(pam).get(f"/api/workspaces/{world.prod.pk}/import-profiles/").json() == []


def test_a_profile_fills_step_two_and_the_import_applies_it_with_its_masked_values():
    world = _world()
    task = _inspected_import(world, world.dan)
    client = client_for(world.dan)
    base = f"/api/workspaces/{world.prod.pk}/imports/{task.public_id}/"

    answer = client.get(f"{base}profiles/{world.profile.pk}/choices/")

    assert answer.status_code == 200, answer.content
    choices = answer.json()
    assert choices["profile"]["name"] == "to_prod" and choices["policy"] == "overwrite"
    assert [(m["kind"], m["name"], m["replace"]) for m in choices["mapping"]] == [
        ("connection", "dev_dws", "prod_dws")
    ]
    assert choices["publicParams"] == {"region": "prod"}
    assert choices["rewriteRules"][0]["find"] == "dev_dw"
    assert choices["variables"] == [{"name": "DB_HOST", "value": "prod-db.local", "masked": False}]
    assert choices["masked"] == [{"kind": "variable", "name": "DB_PASSWORD", "job": None}]
    assert "Pw-Prod-9" not in answer.content.decode()

    # The wizard sends the choices as it shows them (masked values left out) and names the profile.
    body = {key: choices[key] for key in ("policy", "mapping", "publicParams", "jobParams", "targetStatus")}
    body |= {key: choices[key] for key in ("keepSchedules", "rewriteRules", "variables", "lockPolicy")}
    body |= {"releaseLocks": choices["releaseLocks"], "expressionTimeZone": choices["expressionTimeZone"]}
    body |= {"profileId": world.profile.pk, "skipUnchanged": True}
    previewed = client.post(f"{base}preview/", json.dumps(body), content_type=JSON)
    assert previewed.status_code == 202, previewed.content
    import_preview(task_id=task.pk)
    changes = {(c.object_type, c.name): c.change for c in ImportChange.objects.filter(task=task)}
    assert changes == {
        ("environment_variable", "DB_HOST"): "changed",
        ("environment_variable", "DB_PASSWORD"): "new",
        ("script", "load_sql"): "new",
        ("job", "daily_load"): "new",
    }
    task.refresh_from_db()
    assert "Pw-Prod-9" not in json.dumps(task.params)

    applied = client.post(f"{base}apply/", json.dumps(body), content_type=JSON)
    assert applied.status_code == 202, applied.content
    import_apply(task_id=task.pk)

    job = Job.objects.get(workspace=world.prod, name="daily_load")
    assert node_properties(job.document)["connectionName"] == "prod_dws"
    assert (
        Script.objects.get(workspace=world.prod, name="load_sql")
        .document["content"]
        .startswith("INSERT INTO prod_dw.orders")
    )
    variables = {v.name: v for v in EnvironmentVariable.objects.filter(workspace=world.prod)}
    assert variables["DB_HOST"].value == "prod-db.local"
    assert (
        variables["DB_PASSWORD"].masked
        and secret_decrypt(ciphertext=variables["DB_PASSWORD"].value_encrypted) == "Pw-Prod-9"
    )


def test_a_profile_that_does_not_promote_here_is_not_found():
    world = _world()
    task = _inspected_import(world, world.dan)
    other = workspace_make("sandbox", admin=world.ada)
    elsewhere = profile_make(
        workspace=world.dev,
        user=world.ada,
        name="to_sandbox",
        target={"kind": "workspace", "workspaceId": other.pk},
    )
    base = f"/api/workspaces/{world.prod.pk}/imports/{task.public_id}/"
    client = client_for(world.dan)
    assert client.get(f"{base}profiles/{elsewhere.pk}/choices/").status_code == 404
    refused = client.post(f"{base}apply/", json.dumps({"profileId": elsewhere.pk}), content_type=JSON)
    assert refused.status_code == 404 and refused.json()["code"] == "profile_not_found"
    # Nor is a profile of a workspace the user is no member of (an admin of prod reads every import).
    pam = member_make(world.prod, "pam", Role.ADMIN)
    assert client_for(pam).get(f"{base}profiles/{world.profile.pk}/choices/").status_code == 404


def _wizard_body(choices: dict, profile_id: int) -> dict:
    """The wizard's step-2 body as it sends a profile's choices (masked values left out)."""
    body = {key: choices[key] for key in ("policy", "mapping", "publicParams", "jobParams", "targetStatus")}
    body |= {key: choices[key] for key in ("keepSchedules", "rewriteRules", "variables", "lockPolicy")}
    body |= {"releaseLocks": choices["releaseLocks"], "expressionTimeZone": choices["expressionTimeZone"]}
    return body | {"profileId": profile_id, "skipUnchanged": True}


def test_a_masked_profile_parameter_stays_masked_in_the_wizards_change_set_and_the_target():
    world = world_build()
    profile = profile_make(
        workspace=world.dev,
        user=world.ada,
        name="masked_param",
        target={"kind": "workspace", "workspaceId": world.prod.pk},
        publicParams=[{"name": "region", "value": "Hidden-Region-77", "masked": True}],
    )
    task = _inspected_import(world, world.dan)
    client = client_for(world.dan)
    base = f"/api/workspaces/{world.prod.pk}/imports/{task.public_id}/"
    choices = client.get(f"{base}profiles/{profile.pk}/choices/").json()
    assert choices["publicParams"] == {} and choices["masked"] == [
        {"kind": "publicParam", "name": "region", "job": None}
    ]
    body = json.dumps(_wizard_body(choices, profile.pk))
    assert client.post(f"{base}preview/", body, content_type=JSON).status_code == 202
    import_preview(task_id=task.pk)

    listed = client.get(f"{base}changes/").json()["results"]
    job_row = next(r for r in listed if r["name"] == "daily_load")
    detail = client.get(f"{base}changes/{job_row['id']}/")
    assert detail.status_code == 200, detail.content
    assert "Hidden-Region-77" not in detail.content.decode()
    assert "Hidden-Region-77" not in client.get(base).content.decode()

    assert client.post(f"{base}apply/", body, content_type=JSON).status_code == 202
    import_apply(task_id=task.pk)
    job = Job.objects.get(workspace=world.prod, name="daily_load")
    assert job.document["maskedParams"] == ["region"] and "Hidden-Region-77" not in json.dumps(job.document)
    assert secrets_decrypt(ciphertext=job.secrets_encrypted)["param:region"] == "Hidden-Region-77"


def test_a_profile_that_requires_approval_is_offered_only_to_who_may_approve_with_it():
    world = world_build(requires_approval=True)  # dan: developer of dev and of prod
    task = _inspected_import(world, world.dan)
    base = f"/api/workspaces/{world.prod.pk}/imports/{task.public_id}/"
    listing = f"/api/workspaces/{world.prod.pk}/import-profiles/"
    dan = client_for(world.dan)

    assert dan.get(listing).json() == []
    assert dan.get(f"{base}profiles/{world.profile.pk}/choices/").status_code == 404
    refused = dan.post(f"{base}apply/", json.dumps({"profileId": world.profile.pk}), content_type=JSON)
    assert refused.status_code == 404 and refused.json()["code"] == "profile_not_found"
    assert not Job.objects.filter(workspace=world.prod).exists()

    # A deployer of dev (who may approve a promotion with it) is offered it.
    dee = member_make(world.dev, "dee", Role.DEPLOYER)
    member_make(world.prod, "dee", Role.DEVELOPER)
    assert [p["name"] for p in client_for(dee).get(listing).json()] == ["to_prod"]
