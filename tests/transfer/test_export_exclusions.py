"""Export of a tree selection with exclusions: a ticked directory (or the whole workspace) minus the jobs and
directories unticked inside it, plus what is ticked again inside those, as the tree's check boxes mean it.

The world (tests/transfer/exporting.py): /etl holds doc1, /etl/daily daily_load, /flows parent and child,
/flows/deep grandchild; secret_job is at the root; /sql holds the scripts.
"""

from __future__ import annotations

import pytest

from factory.development.models import Directory
from factory.errors import ValidationError
from factory.transfer.exports import ExportRequest, export_select
from factory.transfer.exports.selection import DEVELOP

pytestmark = pytest.mark.django_db


def selected(world, **request) -> set[str]:
    return set(export_select(workspace=world.workspace, request=ExportRequest(**request)).names)


def directory(world, path: str, category: str = "job") -> int:
    return Directory.objects.get(workspace=world.workspace, category=category, path=path).pk


def test_a_ticked_directory_without_an_unticked_job(export_world):
    w = export_world
    assert selected(w, directory_ids=(directory(w, "/etl"),), exclude_job_ids=w.job_ids("doc1")) == {
        "daily_load"
    }


def test_a_ticked_directory_without_an_unticked_subdirectory(export_world):
    w = export_world
    flows, deep = directory(w, "/flows"), directory(w, "/flows/deep")
    assert selected(w, directory_ids=(flows,), exclude_directory_ids=(deep,)) == {"parent", "child"}


def test_the_whole_workspace_without_a_directory_keeps_the_jobs_at_the_root(export_world):
    """Jobs at the root have no directory row: excluding a directory must not drop them too."""
    w = export_world
    assert selected(w, everything=True, exclude_directory_ids=(directory(w, "/flows"),)) == {
        "doc1",
        "daily_load",
        "secret_job",
    }
    assert selected(
        w,
        everything=True,
        exclude_directory_ids=(directory(w, "/etl"),),
        exclude_job_ids=w.job_ids("secret_job"),
    ) == {"parent", "child", "grandchild"}


def test_what_is_ticked_again_inside_an_unticked_directory_is_exported(export_world):
    """All ticked, /flows unticked, inside it /flows/deep and job parent ticked again: the nearest
    decision wins, as in the tree."""
    w = export_world
    names = selected(
        w,
        everything=True,
        exclude_directory_ids=(directory(w, "/flows"),),
        directory_ids=(directory(w, "/flows/deep"),),
        job_ids=w.job_ids("parent"),
    )
    assert names == {"doc1", "daily_load", "secret_job", "grandchild", "parent"}


def test_an_unticked_directory_inside_an_unticked_one_changes_nothing(export_world):
    w = export_world
    names = selected(
        w,
        directory_ids=(directory(w, "/etl"),),
        exclude_directory_ids=(
            directory(w, "/etl/daily"),
            directory(w, "/flows"),
            directory(w, "/flows/deep"),
        ),
    )
    assert names == {"doc1"}


def test_exclusions_that_do_not_exist_exclude_nothing(export_world):
    w = export_world
    foreign_dir = Directory.objects.create(
        workspace=w.other, category="job", name="etl", path="/etl", depth=1
    )
    names = selected(
        w,
        directory_ids=(directory(w, "/etl"),),
        exclude_directory_ids=(999_999, foreign_dir.pk),
        exclude_job_ids=(999_999, w.jobs["foreign"].pk),
    )
    assert names == {"doc1", "daily_load"}


def test_excluding_everything_that_was_ticked_leaves_nothing_to_export(export_world):
    w = export_world
    with pytest.raises(ValidationError) as error:
        selected(w, directory_ids=(directory(w, "/etl"),), exclude_job_ids=w.job_ids("doc1", "daily_load"))
    assert error.value.code == "export_empty"


@pytest.mark.parametrize("what", ["job", "directory"])
def test_picked_and_excluded_at_once_is_refused(export_world, what):
    w = export_world
    etl = directory(w, "/etl")
    if what == "job":
        request = {"job_ids": w.job_ids("doc1"), "exclude_job_ids": w.job_ids("doc1")}
    else:
        request = {"directory_ids": (etl,), "exclude_directory_ids": (etl,)}
    with pytest.raises(ValidationError) as error:
        selected(w, **request)
    assert error.value.code == "export_conflict" and "both selected and excluded" in error.value.message


def test_scripts_exclude_by_script_id(export_world):
    w = export_world
    names = selected(
        w,
        category="script",
        directory_ids=(directory(w, "/sql", category="script"),),
        exclude_script_ids=(w.scripts["lonely"].pk,),
        exclude_job_ids=w.job_ids("doc1"),  # the other category's: nothing to do with scripts
    )
    assert names == {"dws_script", "hive_script"}


def test_exclusions_are_part_of_the_one_selection_query(export_world, django_assert_num_queries):
    """One query for the directories (selected and excluded alike), one for the selected jobs."""
    w = export_world
    request = ExportRequest(
        everything=True,
        directory_ids=(directory(w, "/flows/deep"),),
        exclude_directory_ids=(directory(w, "/flows"), directory(w, "/etl/daily")),
        exclude_job_ids=w.job_ids("doc1", "secret_job"),
        status=DEVELOP,
    )
    with django_assert_num_queries(2):
        selection = export_select(workspace=w.workspace, request=request)
    assert set(selection.names) == {"grandchild"}


def test_a_background_export_keeps_its_exclusions(export_world):
    w = export_world
    request = ExportRequest(
        directory_ids=(directory(w, "/etl"),),
        exclude_job_ids=w.job_ids("doc1"),
        exclude_directory_ids=(directory(w, "/etl/daily"),),
        exclude_script_ids=(5,),
    )
    assert ExportRequest.from_params(request.to_params()) == request
