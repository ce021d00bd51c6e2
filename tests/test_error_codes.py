"""The console's error codes: one ``ErrorCode`` enum, used at every raise site, each member produced
somewhere and answered by the v1 API through the one DataArts table."""

from __future__ import annotations

import ast
from pathlib import Path

from rest_framework import exceptions

from factory.dataarts.errors import DATAARTS_CODES
from factory.errors import ErrorCode

FACTORY = Path(__file__).resolve().parent.parent / "factory"


def _sources() -> list[tuple[Path, ast.Module]]:
    """Every module of factory/ but the package format's (its ``PackageError`` codes, ``zip.*``,
    ``schema.*``, ..., are its own, documented in docs/package-format.md) and the migrations."""
    found = []
    for path in sorted(FACTORY.rglob("*.py")):
        parts = path.relative_to(FACTORY).parts
        if parts[0] == "packages" or "migrations" in parts:
            continue
        found.append((path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))
    return found


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def test_no_error_code_is_written_as_a_string():
    written = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                written += [
                    (path, node.lineno) for kw in node.keywords if kw.arg == "code" and _is_text(kw.value)
                ]
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "default_code" for t in targets) and _is_text(
                    node.value
                ):
                    written.append((path, node.lineno))
            elif isinstance(node, ast.Dict):  # an envelope built by hand: {"message": ..., "code": ...}
                written += [
                    (path, node.lineno)
                    for key, value in zip(node.keys, node.values, strict=True)
                    if isinstance(key, ast.Constant) and key.value == "code" and _is_text(value)
                ]
    shown = [f"{path.relative_to(FACTORY.parent)}:{line}" for path, line in written]
    assert not shown, f"a code written as a string, not an ErrorCode member: {', '.join(shown)}"


def test_every_error_code_is_produced():
    """Named somewhere in factory/ (not as a key of a table such as DATAARTS_CODES), or one of DRF's own
    exceptions' codes, which the console's envelope passes on."""
    named = set()
    for _, tree in _sources():
        keys = {id(key) for node in ast.walk(tree) if isinstance(node, ast.Dict) for key in node.keys}
        named |= {
            node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "ErrorCode"
            and id(node) not in keys
        }
    drf = {
        cls.default_code
        for cls in vars(exceptions).values()
        if isinstance(cls, type) and issubclass(cls, exceptions.APIException)
    }
    assert [code.name for code in ErrorCode if code.name not in named and code.value not in drf] == []
    assert drf <= set(ErrorCode), "a DRF exception's code the envelope would answer as 'error'"


def test_the_dataarts_table_answers_every_code():
    assert set(DATAARTS_CODES) == set(ErrorCode)
    assert all(value.startswith(("DLF.", "APIGW.")) for value in DATAARTS_CODES.values())
