"""Environment profiles through their services and selectors: what they keep, what they refuse (each
problem at its field), and that their secrets are kept encrypted and never come back out."""

from __future__ import annotations

import json

import pytest

from factory.crypto import secret_decrypt
from factory.errors import Conflict, ErrorCode, NotFound, ValidationError
from factory.obs.errors import ObsError
from factory.promotion.documents import profile_document, profile_outline
from factory.promotion.models import EnvironmentProfile
from factory.promotion.rewriting import job_document_rewrite, script_document_rewrite
from factory.promotion.selectors import (
    profile_get,
    profile_mapping,
    profile_rules,
    profile_unset_secrets,
    profile_values,
)
from factory.promotion.services import profile_delete, profile_import, profile_update
from factory.workspaces.models import Role
from factory.workspaces.services import membership_set
from tests.builders import (
    job_document,
    node,
    profile_body,
    profile_make,
    script_document,
    user_make,
    workspace_make,
)

pytestmark = pytest.mark.django_db

SECRET_KEY = "Prod-Remote-Secret-1"
ACCESS_KEY = "PRODACCESSKEY0001"


@pytest.fixture
def admin():
    return user_make("dev_admin")


@pytest.fixture
def dev(admin):
    return workspace_make("dev", admin=admin)


@pytest.fixture
def prod(admin):
    return workspace_make("prod", admin=admin)


def _update(profile, user, **changes):
    from factory.api.promotion.profiles import ProfileInputSerializer, spec_from_input

    body = {**profile_body(profile.name), **changes}
    data = ProfileInputSerializer(data=body)
    data.is_valid(raise_exception=True)
    return profile_update(profile=profile, user=user, spec=spec_from_input(data.validated_data))


def _row_text(profile: EnvironmentProfile) -> str:
    """Every column of the profile's row as the database holds it."""
    values = EnvironmentProfile.objects.filter(pk=profile.pk).values().get()
    return json.dumps(values, default=str)


def test_a_remote_target_keeps_its_keys_only_encrypted(dev, admin):
    profile = profile_make(workspace=dev, user=admin, name="prod")
    row = _row_text(profile)
    assert SECRET_KEY not in row and ACCESS_KEY not in row
    assert json.loads(secret_decrypt(ciphertext=profile.secrets_encrypted)) == {
        "accessKey": ACCESS_KEY,
        "secretKey": SECRET_KEY,
    }
    outline = profile_outline(profile=profile)
    assert outline["target"] == {
        "kind": "remote",
        "workspaceId": None,
        "workspaceName": None,
        "endpoint": "https://dataarts.prod.example.com",
        "projectId": "prodproject",
        "remoteWorkspaceId": "prodworkspace",
        "obsFolder": "obs://stage-bucket/promotion/",
        "accessKeySet": True,
        "secretKeySet": True,
        "accessKeyHint": "…0001",
    }
    assert SECRET_KEY not in json.dumps(outline, default=str)
    assert (outline["createdBy"], outline["updatedBy"]) == ("dev_admin", "dev_admin")
    assert profile_values(profile=profile).secret_key == SECRET_KEY  # for the promotion that signs with it


def test_an_update_keeps_the_keys_it_is_not_given_again(dev, admin):
    profile = profile_make(workspace=dev, user=admin, name="prod")
    target = {**profile_body()["target"], "accessKey": "", "secretKey": None, "projectId": "otherproject"}
    profile = _update(profile, admin, target=target)
    assert profile.remote_project_id == "otherproject"
    assert (profile_values(profile=profile).access_key, profile_values(profile=profile).secret_key) == (
        ACCESS_KEY,
        SECRET_KEY,
    )
    profile = _update(profile, admin, target={**target, "secretKey": "New-Secret-2"})
    assert profile_values(profile=profile).secret_key == "New-Secret-2"


def test_a_workspace_target_is_one_of_the_users_own_and_not_the_source(dev, prod, admin):
    profile = profile_make(workspace=dev, user=admin, target={"kind": "workspace", "workspaceId": prod.pk})
    assert profile.target_workspace == prod and profile.secrets_encrypted == ""
    assert profile_outline(profile=profile)["target"]["workspaceName"] == "prod"

    secret_place = workspace_make("secret_place", admin=user_make("stranger"))
    for target_id, message in (
        (secret_place.pk, "No such workspace of yours."),
        (dev.pk, "another workspace"),
    ):
        with pytest.raises(ValidationError) as raised:
            profile_make(workspace=dev, user=admin, target={"kind": "workspace", "workspaceId": target_id})
        assert raised.value.code == ErrorCode.PROFILE_TARGET_INVALID
        assert message in raised.value.fields["target.workspaceId"][0]
        assert "secret_place" not in raised.value.message + json.dumps(raised.value.fields)


def test_a_target_that_turns_into_a_workspace_drops_the_remote_keys(dev, prod, admin):
    profile = profile_make(workspace=dev, user=admin, name="prod")
    profile = _update(profile, admin, target={"kind": "workspace", "workspaceId": prod.pk})
    assert profile.secrets_encrypted == "" and profile.remote_endpoint == ""
    with pytest.raises(ValidationError) as raised:  # and back: the keys are needed again
        _update(profile, admin, target={**profile_body()["target"], "accessKey": None, "secretKey": None})
    assert raised.value.code == ErrorCode.VALUE_REQUIRED
    assert set(raised.value.fields) == {"target.accessKey", "target.secretKey"}


def test_every_problem_is_named_at_its_field_at_once(dev, admin):
    body = profile_body(
        "bad name!",
        target={
            "kind": "remote",
            "endpoint": "ftp://x",
            "projectId": "",
            "obsFolder": "obs://stage-bucket/p/",
        },
        mappings=[
            {"kind": "connection", "name": "dev_dws", "replace": "prod_dws", "connectionType": "DWS"},
            {"kind": "connection", "name": "dev_dws", "replace": "other", "connectionType": None},
            {"kind": "dli_queue", "name": "q", "replace": "q2", "connectionType": "DWS"},
        ],
        publicParams=[{"name": "bad name", "value": "x"}],
        expressionTimeZone="Mars/Olympus",
        rewriteRules=[{"find": "(a+)+$", "replace": "x", "regex": True}],
    )
    with pytest.raises(ValidationError) as raised:
        profile_make(
            workspace=dev, user=admin, **{k: v for k, v in body.items() if k != "name"}, name=body["name"]
        )
    fields = raised.value.fields
    assert set(fields) == {
        "name",
        "target.endpoint",
        "target.projectId",
        "target.accessKey",
        "target.secretKey",
        "mappings.1.name",
        "mappings.2.connectionType",
        "publicParams.0.name",
        "expressionTimeZone",
        "rewriteRules.0.find",
    }
    assert raised.value.code == ErrorCode.INVALID_NAME  # the first problem's
    assert raised.value.message.startswith("name: The name contains ' '")
    assert "more problems" in raised.value.message
    assert "not a group" in fields["rewriteRules.0.find"][0]
    assert not EnvironmentProfile.objects.exists()


def test_a_bad_rewrite_rule_has_its_own_code(dev, admin):
    with pytest.raises(ValidationError) as raised:
        profile_make(
            workspace=dev,
            user=admin,
            rewriteRules=[{"find": r"^dev_(\w+)$", "replace": r"\2", "regex": True}],
        )
    assert raised.value.code == ErrorCode.REWRITE_RULE_INVALID
    assert list(raised.value.fields) == ["rewriteRules.0.replace"]


@pytest.mark.parametrize("zone", ["GMT+8", "GMT-05:30", "GMT+08:00", "Asia/Shanghai", ""])
def test_time_zones_as_dataarts_writes_them(dev, admin, zone):
    assert profile_make(workspace=dev, user=admin, expressionTimeZone=zone).expression_time_zone == zone


def test_the_staging_folder_must_be_one_the_workspace_may_write(dev, admin):
    dev.obs_allow_list = ["allowed-bucket/promotion/"]
    dev.save()
    with pytest.raises(ObsError) as raised:
        profile_make(workspace=dev, user=admin)
    assert raised.value.code == ErrorCode.OBS_PATH_FORBIDDEN
    target = {**profile_body()["target"], "obsFolder": "obs://allowed-bucket/promotion/prod"}
    assert profile_make(workspace=dev, user=admin, target=target).remote_obs_folder == (
        "obs://allowed-bucket/promotion/prod/"
    )


def test_names_are_unique_per_workspace(dev, prod, admin):
    profile_make(workspace=dev, user=admin, name="prod")
    with pytest.raises(Conflict) as raised:
        profile_make(workspace=dev, user=admin, name="prod")
    assert raised.value.code == ErrorCode.PROFILE_EXISTS
    profile_make(workspace=prod, user=admin, name="prod")


def test_masked_values_are_encrypted_kept_and_never_shown(dev, admin):
    profile = profile_make(
        workspace=dev,
        user=admin,
        publicParams=[{"name": "env", "value": "prod"}, {"name": "token", "value": "Tok-3n"}],
        jobParams=[{"job": "load", "name": "pw", "value": "Job-Pw-1", "masked": True}],
        environmentVariables=[{"name": "DB_PASSWORD", "value": "Db-Pw-9"}, {"name": "later", "masked": True}],
    )
    row = _row_text(profile)
    for secret in ("Tok-3n", "Job-Pw-1", "Db-Pw-9"):
        assert secret not in row
    outline = profile_outline(profile=profile)
    assert outline["publicParams"] == [
        {"name": "env", "masked": False, "value": "prod", "valueSet": True},
        {"name": "token", "masked": True, "value": None, "valueSet": True},  # named like a secret: masked
    ]
    assert outline["environmentVariables"][1] == {
        "name": "later",
        "masked": True,
        "value": None,
        "valueSet": False,
    }
    assert profile_unset_secrets(profile=profile) == ["environment variable later"]
    values = profile_values(profile=profile)
    assert values.public_params == {"env": "prod", "token": "Tok-3n"}
    assert values.job_params == {"load": {"pw": "Job-Pw-1"}}

    # Left blank, a masked value is kept.
    profile = _update(
        profile,
        admin,
        publicParams=[{"name": "env", "value": "prod"}, {"name": "token", "value": None, "masked": True}],
        jobParams=[{"job": "load", "name": "pw", "value": "", "masked": True}],
    )
    values = profile_values(profile=profile)
    assert (values.public_params["token"], values.job_params) == ("Tok-3n", {"load": {"pw": "Job-Pw-1"}})


def test_unmasking_a_value_needs_it_again(dev, admin):
    profile = profile_make(
        workspace=dev, user=admin, publicParams=[{"name": "code", "value": "c0de", "masked": True}]
    )
    with pytest.raises(ValidationError) as raised:
        _update(profile, admin, publicParams=[{"name": "code", "value": None, "masked": False}])
    assert raised.value.code == ErrorCode.VALUE_REQUIRED
    assert list(raised.value.fields) == ["publicParams.0.value"]
    profile = _update(profile, admin, publicParams=[{"name": "code", "value": None, "masked": True}])
    assert profile_values(profile=profile).public_params == {"code": "c0de"}
    profile = _update(profile, admin, publicParams=[{"name": "code", "value": "visible", "masked": False}])
    assert profile_outline(profile=profile)["publicParams"][0]["value"] == "visible"


def test_the_document_holds_everything_but_secrets(dev, admin):
    profile = profile_make(
        workspace=dev,
        user=admin,
        name="prod",
        publicParams=[{"name": "env", "value": "prod"}, {"name": "token", "value": "Tok-3n"}],
    )
    document = profile_document(profile=profile)
    text = json.dumps(document)
    for secret in (SECRET_KEY, ACCESS_KEY, "Tok-3n", "accessKey", "secretKey", "valueSet"):
        assert secret not in text
    assert "Secrets are never exported" in document["note"]
    assert document["profile"]["target"] == {
        "kind": "remote",
        "endpoint": "https://dataarts.prod.example.com",
        "projectId": "prodproject",
        "remoteWorkspaceId": "prodworkspace",
        "obsFolder": "obs://stage-bucket/promotion/",
    }
    assert document["profile"]["publicParams"][1] == {"name": "token", "masked": True, "value": None}


def test_an_import_checks_everything_and_asks_for_the_keys_again(dev, prod, admin):
    profile = profile_make(
        workspace=dev, user=admin, name="prod", publicParams=[{"name": "token", "value": "Tok-3n"}]
    )
    document = profile_document(profile=profile)
    with pytest.raises(ValidationError) as raised:
        profile_import(workspace=prod, user=admin, document=document)
    assert raised.value.code == ErrorCode.VALUE_REQUIRED
    assert set(raised.value.fields) == {"accessKey", "secretKey"}

    imported, replaced = profile_import(
        workspace=prod, user=admin, document=document, access_key="AK2", secret_key="SK2"
    )
    assert not replaced
    strip = {"id", "createdAt", "updatedAt"}
    a, b = profile_outline(profile=profile), profile_outline(profile=imported)
    assert {k: v for k, v in a.items() if k not in strip | {"target", "publicParams"}} == {
        k: v for k, v in b.items() if k not in strip | {"target", "publicParams"}
    }
    assert b["publicParams"] == [{"name": "token", "masked": True, "value": None, "valueSet": False}]
    assert profile_values(profile=imported).secret_key == "SK2"

    with pytest.raises(Conflict):
        profile_import(workspace=prod, user=admin, document=document, access_key="AK2", secret_key="SK2")
    document["profile"]["description"] = "again"
    again, replaced = profile_import(
        workspace=prod, user=admin, document=document, replace=True, access_key="AK3", secret_key="SK3"
    )
    assert replaced and again.pk == imported.pk and again.description == "again"


def test_a_workspace_target_is_imported_by_its_name(dev, prod, admin):
    profile = profile_make(
        workspace=dev, user=admin, name="to_prod", target={"kind": "workspace", "workspaceId": prod.pk}
    )
    document = profile_document(profile=profile)
    assert document["profile"]["target"] == {"kind": "workspace", "workspaceName": "prod"}
    staging = workspace_make("staging", admin=admin)
    imported, _ = profile_import(workspace=staging, user=admin, document=document)
    assert imported.target_workspace == prod
    # Someone who is not a member of prod cannot import a profile that targets it.
    other = user_make("other_admin")
    membership_set(workspace=staging, user=other, role=Role.ADMIN)
    document["profile"]["name"] = "to_prod_2"
    with pytest.raises(ValidationError) as raised:
        profile_import(workspace=staging, user=other, document=document)
    assert list(raised.value.fields) == ["target.workspaceName"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"format": "something-else"}, "format"),
        ({"version": 99}, "version"),
        ({"profile": []}, "profile"),
        ({"profile": {"name": "x", "target": {"kind": "moon"}}}, "profile.target.kind"),
        (
            {"profile": {"name": "x", "target": {"kind": "workspace", "workspaceName": 3}}},
            "profile.target.workspaceName",
        ),
        (
            {
                "profile": {
                    "name": "x",
                    "target": {"kind": "workspace", "workspaceName": "prod"},
                    "mappings": [1],
                }
            },
            "profile.mappings.0",
        ),
        (
            {
                "profile": {
                    "name": "x",
                    "target": {"kind": "workspace", "workspaceName": "prod"},
                    "requiresApproval": "yes",
                }
            },
            "profile.requiresApproval",
        ),
    ],
)
def test_a_file_that_is_no_profile_document_is_refused_at_its_field(dev, admin, change, field):
    document = {"format": "dataarts-console/environment-profile", "version": 1, **change}
    with pytest.raises(ValidationError) as raised:
        profile_import(workspace=dev, user=admin, document=document)
    assert raised.value.code == ErrorCode.PROFILE_DOCUMENT_INVALID
    assert list(raised.value.fields) == [field]


def test_reads_are_scoped_to_the_workspace(dev, prod, admin):
    profile = profile_make(workspace=dev, user=admin)
    with pytest.raises(NotFound) as raised:
        profile_get(workspace=prod, profile_id=profile.pk)
    assert raised.value.code == ErrorCode.PROFILE_NOT_FOUND
    profile_delete(profile=profile)
    assert not EnvironmentProfile.objects.exists()


def test_what_a_promotion_reads_of_a_profile(dev, admin):
    profile = profile_make(
        workspace=dev,
        user=admin,
        mappings=[
            {"kind": "connection", "name": "dev_dws", "replace": "prod_dws", "connectionType": "DWS"},
            {"kind": "dli_queue", "name": "dev_queue", "replace": "prod_queue"},
        ],
        rewriteRules=[
            {"find": "dev_dw.", "replace": "prod_dw."},
            {"find": "^dev_(\\w+)$", "replace": "prod_\\1", "regex": True},
        ],
    )
    assert profile_mapping(profile=profile) == {
        ("connection", "dev_dws"): "prod_dws",
        ("dli_queue", "dev_queue"): "prod_queue",
    }
    rules = profile_rules(profile=profile)
    job = job_document(
        "load",
        nodes=[
            node(
                "sql",
                "DWSSQL",
                {
                    "scriptName": "dev_dw.s",
                    "connectionName": "dev_dw.c",
                    "database": "dev_sales",
                    "sql": "FROM dev_dw.t",
                },
            )
        ],
    )
    result = job_document_rewrite(document=job, rules=rules)
    props = {p["name"]: p["value"] for p in result.document["nodes"][0]["properties"]}
    assert props == {
        "scriptName": "dev_dw.s",
        "connectionName": "dev_dw.c",
        "database": "prod_sales",
        "sql": "FROM prod_dw.t",
    }
    script = script_document(
        "s", connection="dev_dw.c", content="SELECT * FROM dev_dw.t", database="dev_sales"
    )
    result = script_document_rewrite(document=script, rules=rules)
    assert (result.document["content"], result.document["database"], result.document["connectionName"]) == (
        "SELECT * FROM prod_dw.t",
        "prod_sales",
        "dev_dw.c",
    )
