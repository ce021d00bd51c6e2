"""The allow-list rules on their own: parsing, normalising, and what a list allows with and without the
console's storage in OBS."""

from __future__ import annotations

import pytest

from factory.obs import ObsError, ObsPathForbidden, obs_path_parse
from factory.obs.scope import (
    obs_scope_allows,
    obs_scope_buckets,
    obs_scope_check,
    obs_scope_entries,
    obs_scope_parse,
    obs_scope_roots,
)


@pytest.fixture
def storage(settings):
    settings.OBS_BUCKET, settings.OBS_STORAGE_PREFIX = "store", "console"


def allows(entries: list[str], path: str) -> bool:
    return obs_scope_allows(obs_scope_parse(entries), obs_path_parse(path))


def test_entries_are_normalised_and_deduplicated():
    scope = obs_scope_parse(["obs://team-bucket/in", "team-bucket/in/", " * ", "other-bucket", "*"])
    assert obs_scope_entries(scope) == ["*", "team-bucket/in/", "other-bucket"]
    assert obs_scope_roots(scope) == ["obs://team-bucket/in/"]
    assert obs_scope_parse([]).empty and obs_scope_parse([]).describe() == "no OBS location"


def test_a_folder_entry_allows_what_is_below_it_only():
    assert allows(["team-bucket/in/"], "obs://team-bucket/in/DLF_a.zip")
    assert allows(["team-bucket/in/"], "obs://team-bucket/in/deeper/jobs.zip")
    assert not allows(["team-bucket/in/"], "obs://team-bucket/inbox/jobs.zip")  # a prefix of the name only
    assert not allows(["team-bucket/in/"], "obs://team-bucket/jobs.zip")
    assert not allows(["team-bucket"], "obs://other-bucket/jobs.zip")
    assert allows(["team-bucket"], "obs://team-bucket/any/where.zip")


def test_without_storage_in_obs_a_star_allows_every_bucket(settings):
    settings.OBS_BUCKET = ""
    assert allows(["*"], "obs://store/console/exports/x.zip")


def test_the_storage_prefix_is_never_allowed(storage):
    assert not allows(["*"], "obs://store/console/exports/x.zip")
    assert not allows(["*"], "obs://store/shared/x.zip")  # '*' leaves the storage bucket out entirely
    assert allows(["store/shared/"], "obs://store/shared/x.zip")
    with pytest.raises(ObsPathForbidden, match="console's own storage"):
        obs_scope_check(obs_scope_parse(["*"]), obs_path_parse("obs://store/console"), workspace_name="w")
    assert obs_scope_buckets(obs_scope_parse(["*", "named"]), existing=["a-bucket", "store"]) == [
        "a-bucket",
        "named",
    ]


def test_an_empty_storage_prefix_makes_the_whole_bucket_the_storage(settings):
    settings.OBS_BUCKET, settings.OBS_STORAGE_PREFIX = "store", ""
    assert not allows(["*"], "obs://store/anything.zip")
    with pytest.raises(ObsError, match="console's own storage"):
        obs_scope_parse(["store/shared/"])


@pytest.mark.parametrize(
    ("entry", "field_message"),
    [("Bad_Bucket", "invalid bucket name"), ("", "empty"), ("store", "reaches the console's own storage")],
)
def test_bad_entries_name_themselves(storage, entry, field_message):
    with pytest.raises(ObsError) as caught:
        obs_scope_parse(["*", entry])
    assert caught.value.code == "obs_allow_list_invalid"
    assert caught.value.fields == {"entries[1]": field_message}


def test_too_many_entries_are_refused():
    with pytest.raises(ObsError, match="at most 100 entries"):
        obs_scope_parse([f"bucket-{i:03d}" for i in range(101)])
