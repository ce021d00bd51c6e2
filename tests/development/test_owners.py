"""Configure Owner: the owner of ticked jobs or scripts, or of every one of a current owner (Migrate)."""

from __future__ import annotations

import pytest

from factory.development.models import Job, Script
from factory.development.services import (
    job_create,
    job_lock,
    job_save,
    objects_owner_set,
    script_create,
)
from factory.errors import LockError, NotFound, PreconditionFailed, ValidationError
from tests.builders import job_document, script_document

pytestmark = pytest.mark.django_db


def _jobs(workspace, n: int, *, owner: str = "alice", prefix: str = "j") -> list[Job]:
    """``n`` jobs written directly (bulk), owned by ``owner`` in the column and the document."""
    docs = [job_document(f"{prefix}{i}", basicConfig={"owner": owner, "priority": 1}) for i in range(n)]
    Job.objects.bulk_create(
        Job(workspace=workspace, name=doc["name"], owner=owner, document=doc) for doc in docs
    )
    return list(Job.objects.filter(workspace=workspace, name__startswith=prefix).order_by("pk"))


def test_ticked_jobs_get_the_owner_in_column_and_document(workspace, alice):
    a = job_create(workspace=workspace, user=alice, document=job_document("a"))
    b = job_create(workspace=workspace, user=alice, document=job_document("b"))
    c = job_create(workspace=workspace, user=alice, document=job_document("c"))

    result = objects_owner_set(
        workspace=workspace, user=alice, category="job", owner="  dana ", ids=[a.pk, b.pk]
    )

    assert (result.changed, result.skipped) == (2, 0)
    for job in (a, b):
        job.refresh_from_db()
        assert job.owner == "dana"
        assert job.document["basicConfig"] == {"owner": "dana", "priority": 0}  # the rest kept
        assert job.document["nodes"][0]["name"] == "DWS_SQL_1"
        assert job.revision == 2  # an editor holding revision 1 must reload
        assert job.updated_by == alice
    c.refresh_from_db()
    assert c.owner == "alice"


def test_migrate_moves_every_job_of_the_current_owner(workspace, alice, django_assert_max_num_queries):
    _jobs(workspace, 5, owner="bob", prefix="bob_")
    _jobs(workspace, 3, owner="erin", prefix="erin_")

    with django_assert_max_num_queries(6):
        result = objects_owner_set(
            workspace=workspace, user=alice, category="job", owner="frank", current_owner="bob"
        )

    assert result.changed == 5
    owners = dict(Job.objects.values_list("name", "owner"))
    assert {name for name, owner in owners.items() if owner == "frank"} == {f"bob_{i}" for i in range(5)}
    assert (
        sorted(Job.objects.filter(owner="frank").values_list("document__basicConfig__owner", flat=True))
        == ["frank"] * 5
    )
    assert Job.objects.filter(owner="erin").count() == 3


def test_ticked_and_current_owner_together_change_only_the_ticked_of_that_owner(workspace, alice):
    jobs = _jobs(workspace, 2, owner="bob", prefix="b") + _jobs(workspace, 1, owner="erin", prefix="e")

    result = objects_owner_set(
        workspace=workspace,
        user=alice,
        category="job",
        owner="frank",
        ids=[j.pk for j in jobs],
        current_owner="bob",
    )

    assert result.changed == 2
    assert Job.objects.get(name="e0").owner == "erin"


def test_jobs_already_owned_by_the_target_are_skipped_untouched(workspace, alice):
    jobs = _jobs(workspace, 2, owner="frank", prefix="f") + _jobs(workspace, 1, owner="bob", prefix="b")

    result = objects_owner_set(
        workspace=workspace, user=alice, category="job", owner="frank", ids=[j.pk for j in jobs]
    )

    assert (result.changed, result.skipped) == (1, 2)
    assert Job.objects.get(name="f0").revision == 1


@pytest.mark.parametrize("n", [10, 200])
def test_constant_queries_whatever_the_number_of_jobs(workspace, alice, n, django_assert_max_num_queries):
    jobs = _jobs(workspace, n)

    with django_assert_max_num_queries(6):
        result = objects_owner_set(
            workspace=workspace, user=alice, category="job", owner="dana", ids=[j.pk for j in jobs]
        )

    assert result.changed == n
    assert set(Job.objects.values_list("owner", flat=True)) == {"dana"}
    assert set(Job.objects.values_list("document__basicConfig__owner", flat=True)) == {"dana"}


def test_a_job_without_basic_config_gets_one(workspace, alice):
    doc = job_document("bare")
    del doc["basicConfig"]
    job = Job.objects.create(workspace=workspace, name="bare", owner="", document=doc)

    objects_owner_set(workspace=workspace, user=alice, category="job", owner="dana", ids=[job.pk])

    job.refresh_from_db()
    assert job.document["basicConfig"] == {"owner": "dana"}


def test_scripts_get_the_owner_in_their_document(workspace, alice):
    s1 = script_create(workspace=workspace, user=alice, document=script_document("s1"))
    s2 = script_create(workspace=workspace, user=alice, document=script_document("s2", owner="bob"))

    result = objects_owner_set(
        workspace=workspace, user=alice, category="script", owner="dana", ids=[s1.pk, s2.pk]
    )

    assert result.changed == 2
    for script in Script.objects.all():
        assert (script.owner, script.document["owner"]) == ("dana", "dana")
        assert script.document["content"] == "SELECT 1;"


def test_hard_lock_of_someone_else_refuses_all_and_names_them(hard_workspace, alice, bob):
    mine = job_create(workspace=hard_workspace, user=alice, document=job_document("mine"))
    theirs = job_create(workspace=hard_workspace, user=bob, document=job_document("theirs"))

    with pytest.raises(LockError) as exc:
        objects_owner_set(
            workspace=hard_workspace, user=alice, category="job", owner="dana", ids=[mine.pk, theirs.pk]
        )

    assert "theirs (locked by bob)" in exc.value.message
    assert "Nothing was changed" in exc.value.message
    assert set(Job.objects.values_list("owner", flat=True)) == {"alice", "bob"}


def test_workspace_admin_and_soft_policy_are_not_held_back_by_locks(
    workspace, hard_workspace, alice, bob, carol_admin
):
    hard = job_create(workspace=hard_workspace, user=bob, document=job_document("h"))
    soft = job_create(workspace=workspace, user=bob, document=job_document("s"))

    objects_owner_set(workspace=hard_workspace, user=carol_admin, category="job", owner="dana", ids=[hard.pk])
    objects_owner_set(workspace=workspace, user=alice, category="job", owner="dana", ids=[soft.pk])

    assert set(Job.objects.values_list("owner", flat=True)) == {"dana"}


def test_another_workspaces_ids_are_not_found_and_nothing_changes(workspace, hard_workspace, alice):
    here = job_create(workspace=workspace, user=alice, document=job_document("here"))
    elsewhere = job_create(workspace=hard_workspace, user=alice, document=job_document("elsewhere"))

    with pytest.raises(NotFound, match=f"Job {elsewhere.pk} does not exist in workspace dev"):
        objects_owner_set(
            workspace=workspace, user=alice, category="job", owner="dana", ids=[here.pk, elsewhere.pk]
        )

    assert set(Job.objects.values_list("owner", flat=True)) == {"alice"}


def test_migrate_reaches_only_the_workspace_own_objects(workspace, hard_workspace, alice):
    _jobs(workspace, 1, owner="bob", prefix="here")
    _jobs(hard_workspace, 1, owner="bob", prefix="there")

    objects_owner_set(workspace=workspace, user=alice, category="job", owner="dana", current_owner="bob")

    assert Job.objects.get(name="there0").owner == "bob"


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"owner": "", "ids": [1]}, "owner", "Target Owner must be 1 to 128 characters (got 0)."),
        ({"owner": "x" * 129, "ids": [1]}, "owner", "Target Owner must be 1 to 128 characters (got 129)."),
        ({"owner": "dana", "current_owner": " "}, "currentOwner", "Current Owner must be 1 to 128"),
        ({"owner": "dana"}, "ids", "Tick the jobs to change, or give their Current Owner."),
    ],
)
def test_bad_input_is_refused_naming_the_field(workspace, alice, kwargs, field, message):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    if "ids" in kwargs:
        kwargs["ids"] = [job.pk]

    with pytest.raises(ValidationError) as exc:
        objects_owner_set(workspace=workspace, user=alice, category="job", **kwargs)

    assert exc.value.message.startswith(message)
    assert field in exc.value.fields
    job.refresh_from_db()
    assert job.owner == "alice"


def test_a_stale_editor_cannot_write_the_old_owner_back(workspace, alice, bob):
    job = job_create(workspace=workspace, user=alice, document=job_document("j"))
    opened_at = job.revision

    objects_owner_set(workspace=workspace, user=bob, category="job", owner="dana", ids=[job.pk])

    job_lock(job=job, user=alice)
    with pytest.raises(PreconditionFailed):
        job_save(job=job, user=alice, document=job_document("j"), if_match=opened_at)
    job.refresh_from_db()
    assert job.owner == "dana"
