"""``manage.py profile export|import``: the same document and checks as the console's Export and Import."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factory.promotion.models import EnvironmentProfile
from factory.promotion.selectors import profile_values
from tests.builders import profile_make, user_make, workspace_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    admin = user_make("dev_admin")
    dev = workspace_make("dev", admin=admin)
    prod = workspace_make("prod", admin=admin)
    profile = profile_make(
        workspace=dev, user=admin, name="to_prod", publicParams=[{"name": "token", "value": "Tok-3n"}]
    )
    return {"admin": admin, "dev": dev, "prod": prod, "profile": profile}


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("profile", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_writes_the_document_without_secrets(world, tmp_path):
    out, _ = _run("export", "--workspace", "dev", "--name", "to_prod")
    document = json.loads(out)
    assert document["profile"]["name"] == "to_prod"
    assert "Prod-Remote-Secret-1" not in out and "Tok-3n" not in out
    path = tmp_path / "p.json"
    out, _ = _run("export", "--workspace", "dev", "--name", "to_prod", "--out", str(path))
    assert "no secrets" in out and json.loads(path.read_text()) == document


def test_import_needs_the_remote_keys_from_the_environment(world, tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    _run("export", "--workspace", "dev", "--name", "to_prod", "--out", str(path))
    with pytest.raises(CommandError) as raised:
        _run("import", "--workspace", "prod", str(path))
    assert raised.value.returncode == 1
    monkeypatch.setenv("PROFILE_SECRET_KEY", "SK-from-env")
    out, _ = _run("import", "--workspace", "prod", str(path), "--access-key", "AK-typed")
    assert "created profile to_prod in prod" in out
    assert "masked values to set in the console: public parameter token" in out
    imported = EnvironmentProfile.objects.get(workspace=world["prod"])
    assert (profile_values(profile=imported).access_key, profile_values(profile=imported).secret_key) == (
        "AK-typed",
        "SK-from-env",
    )
    with pytest.raises(CommandError, match="already exists"):
        _run("import", "--workspace", "prod", str(path), "--access-key", "AK-typed")
    out, _ = _run("import", "--workspace", "prod", str(path), "--access-key", "AK-typed", "--replace")
    assert "replaced profile to_prod" in out


def test_a_bad_document_names_its_field_on_stderr(world, tmp_path):
    path = tmp_path / "p.json"
    path.write_text(
        json.dumps({"format": "dataarts-console/environment-profile", "version": 1, "profile": {}})
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("profile", "import", "--workspace", "dev", str(path), stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert "profile.target: must be an object." in err.getvalue()
    path.write_text("not json")
    with pytest.raises(CommandError, match="is not JSON"):
        _run("import", "--workspace", "dev", str(path))


def test_only_an_admin_imports(world, tmp_path):
    from factory.workspaces.models import Role
    from factory.workspaces.services import membership_set

    developer = user_make("dev_developer")
    membership_set(workspace=world["dev"], user=developer, role=Role.DEVELOPER)
    path = tmp_path / "p.json"
    path.write_text("{}")
    with pytest.raises(CommandError) as raised:
        _run("import", "--workspace", "dev", str(path), "--user", "dev_developer")
    assert raised.value.returncode == 1
    with pytest.raises(CommandError, match="no environment profile named nope"):
        _run("export", "--workspace", "dev", "--name", "nope")
