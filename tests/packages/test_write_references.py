"""References too many to hold (a large export's) are given as an iterable and streamed into the manifest."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import manifest_info, read, write_package

REFERENCES: list[dict[str, Any]] = [
    {"type": "CONNECTION", "name": "dws_main", "connectionType": None},
    {"type": "CONNECTION", "name": "dws_main", "connectionType": "DWS"},
    {"type": "DLI_QUEUE", "name": "default"},
    {"type": "SCRIPT", "name": "清洗"},
]


def package(layout: str, references: Any) -> bytes:
    return write_package(layout, manifest=manifest_info(references=references))


@pytest.mark.parametrize("layout", ["single", "batch"])
def test_streamed_references_give_the_bytes_a_list_gives(layout) -> None:
    listed = package(layout, REFERENCES[2:] + REFERENCES + REFERENCES[:1])  # sorted and deduplicated
    streamed = package(layout, iter(REFERENCES))  # read once, in order, each once

    assert streamed == listed
    assert read(streamed).references == REFERENCES
    assert package(layout, iter(())) == package(layout, [])


@pytest.mark.parametrize(
    ("references", "error", "message"),
    [
        (REFERENCES[::-1], ValueError, "comes out of"),
        (REFERENCES[:2] + REFERENCES[1:], ValueError, "is given twice"),
        ([{"type": "SCRIPT"}], TypeError, "string 'type' and 'name'"),
    ],
    ids=["out_of_order", "twice", "no_name"],
)
def test_streamed_references_are_checked_as_they_are_read(references, error, message) -> None:
    with pytest.raises(error, match=message):
        package("batch", iter(references))
