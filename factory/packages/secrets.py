"""What counts as a secret: the one definition, for names and for values.

Every place that must recognise a secret reads this module: the export's redaction (``redact``), the
``.conn`` validator, the console's connection services (config keys), the jobs' secrets kept apart
(``factory.development.secrets``) and the import, which drops the empty values exports leave.

Names (a config key, a node property, a parameter, an environment variable, a header, an option) look
secret when, folded to lower-case letters and digits, they hold one of ``SECRET_WORDS`` or end with one of
``SECRET_ENDINGS``, or one of their words (split at ``_ - .`` and camelCase) is one of ``SECRET_TOKENS``: ``dbPassword``, ``api_key``,
``X-Auth-Token``, ``Authorization``, ``keytab``, ``OBS_SK``, ``db_pass``, ``mysql_pwd``.

Values may hold a secret in part, found by ``text_secret_slots``: the password of a URL
(``jdbc:postgresql://user:password@host``), a ``name=value`` pair under a secret name (URL queries, JDBC
and Spark settings, ``--password=...``), the value after an option named like a secret
(``--password value``), a header line under a secret name (``Authorization: Bearer ...``,
``Cookie: ...``, ``X-Api-Key: ...``) and a JSON string under a secret key (``"token": "..."``). Only that
part is secret: redaction empties it and keeps the rest of the value, so a URL or a headers block still
says what it is for. Pure Python, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

SECRET_WORDS = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "apikey",
    "privatekey",
    "keypair",
    "credential",
    "authorization",
    "keytab",
    "cookie",
)
"""Substrings of a folded name (lower-case letters and digits only) that make it secret."""
SECRET_ENDINGS = ("pwd", "token", "accesskey")
"""Endings of a folded name that make it secret: ``authToken``, ``X-Auth-Token``, ``mysql_pwd``,
``AWS_ACCESS_KEY``, but not ``tokenUrl`` (where to get a token) nor ``accessKeyId`` (the public half)."""
SECRET_TOKENS = ("pass", "sk")
"""Whole words of a name that make it secret (``db_pass``, ``OBS_SK``, ``obsSk``), not substrings
(``bypass``, ``task``)."""

_FOLD = re.compile(r"[^a-z0-9]+")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def secret_name_like(name: object) -> bool:
    """Does ``name`` (a key, property, parameter, variable, header or option name) name a secret?"""
    return isinstance(name, str) and bool(name) and _secret_name(name)


@lru_cache(maxsize=8192)  # the same few names come back in every node of every job of an export
def _secret_name(name: str) -> bool:
    folded = _FOLD.sub("", name.lower())
    if folded.endswith(SECRET_ENDINGS) or any(word in folded for word in SECRET_WORDS):
        return True
    return any(word.lower() in SECRET_TOKENS for word in _WORDS.findall(name))


# --- values -------------------------------------------------------------------------------------------

_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
# Each rule finds a candidate; the named group ``name`` (when there is one) decides whether it is secret,
# the group ``value`` is the part that is.
_URL_PASSWORD = re.compile(r"://[^\s/:@?#\"'<>]*:(?P<value>[^\s/?#@\"'<>]*)@")
_ASSIGNMENT = re.compile(
    rf"(?:(?<=[\s?&;,\"'(\[{{])|^)-{{0,2}}(?P<name>{_NAME})=(?P<value>[^\s&;,\"']*)", re.MULTILINE
)
_OPTION = re.compile(
    rf"(?:(?<=\s)|^)--?(?P<name>{_NAME})[ \t]+(?P<value>(?!--)(?:\"[^\"]*\"|'[^']*'|[^\s\"'])[^\s]*)"
)
_HEADER = re.compile(rf"^[ \t]*(?P<name>{_NAME})[ \t]*:[ \t]*(?P<value>[^\r\n]*?)[ \t]*$", re.MULTILINE)
_JSON_KEY = re.compile(r"\"(?P<name>[^\"\\]{1,128})\"\s*:\s*\"(?P<value>(?:[^\"\\]|\\.)*)\"")
# (label, what a text must hold for the rule to apply at all, the rule): most texts skip most rules.
_RULES = (
    ("url", "://", _URL_PASSWORD),
    ("header", ":", _HEADER),
    ("json", '"', _JSON_KEY),
    ("assignment", "=", _ASSIGNMENT),
    ("option", "-", _OPTION),
)
# What the value of an option reads as once emptied: a token, so that the next option keeps its place.
EMPTY_OPTION = '""'
_EMPTY = ("", EMPTY_OPTION, "''")


@dataclass(frozen=True)
class Slot:
    """A secret part of a text: ``label`` says which (``url``, ``header:authorization``, ...), the same
    for the same place after an edit elsewhere in the text; ``start``/``end`` bound ``value``."""

    label: str
    start: int
    end: int
    value: str

    @property
    def empty(self) -> bool:
        return self.value in _EMPTY


def text_secret_slots(text: str) -> list[Slot]:
    """The secret parts of ``text``, in order, none overlapping (empty ones included: an exported text
    keeps its slots, emptied, and an import fills them again)."""
    if not isinstance(text, str):
        return []
    found: list[Slot] = []
    for kind, needed, rule in _RULES:
        if needed not in text:
            continue
        for match in rule.finditer(text):
            name = match.groupdict().get("name")
            if name is not None and not secret_name_like(name):
                continue
            label = kind if name is None else f"{kind}:{name.lower()}"
            found.append(Slot(label, match.start("value"), match.end("value"), match.group("value")))
    found.sort(key=lambda slot: (slot.start, -slot.end))
    slots: list[Slot] = []
    for slot in found:
        if slots and slot.start < slots[-1].end:
            continue  # inside one found before (a ``token=`` in an emptied header line)
        slots.append(slot)
    return slots


def _emptied(slot: Slot) -> str:
    return EMPTY_OPTION if slot.label.startswith("option:") else ""


def text_secrets_redact(text: str) -> str:
    """``text`` with every secret part emptied (itself when it holds none)."""
    slots = [slot for slot in text_secret_slots(text) if not slot.empty]
    return _replaced(text, slots, [_emptied(slot) for slot in slots]) if slots else text


def _replaced(text: str, slots: list[Slot], values: Iterable[str]) -> str:
    pieces, at = [], 0
    for slot, value in zip(slots, values, strict=True):
        pieces += [text[at : slot.start], value]
        at = slot.end
    pieces.append(text[at:])
    return "".join(pieces)


def text_secrets_split(text: str, stored: list[list[str]] | None) -> tuple[str, list[list[str]]]:
    """``text`` with its secret parts emptied, and the parts to keep apart as ``[label, value]`` pairs.

    A part given in ``text`` is taken; an empty one keeps the part ``stored`` has for the same place (the
    n-th slot of that label), as an empty password field keeps the stored password."""
    slots = text_secret_slots(text)
    if not slots:
        return text, []
    kept: dict[str, list[str]] = {}
    for pair in stored or ():
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(item, str) for item in pair):
            kept.setdefault(pair[0], []).append(pair[1])
    seen: dict[str, int] = {}
    parts: list[list[str]] = []  # one per slot ("" where there is none), so that places stay apart
    for slot in slots:
        index = seen.get(slot.label, 0)
        seen[slot.label] = index + 1
        if not slot.empty:
            parts.append([slot.label, slot.value])
        else:
            previous = kept.get(slot.label, ())
            parts.append([slot.label, previous[index] if index < len(previous) else ""])
    redacted = _replaced(text, slots, [slot.value if slot.empty else _emptied(slot) for slot in slots])
    return redacted, parts if any(value for _, value in parts) else []


def text_secrets_found(text: str) -> list[str]:
    """What secret parts ``text`` holds with a value, in words, for an error that names them."""
    return [secret_part_describe(slot.label) for slot in text_secret_slots(text) if not slot.empty]


def secret_part_describe(label: str) -> str:
    """A slot's label in words: ``the password in a URL``, ``the Authorization header``, ..."""
    kind, _, name = label.partition(":")
    return {
        "url": "the password in a URL",
        "header": f"the {name} header",
        "json": f'the value of "{name}"',
        "assignment": f"the value of {name}=",
        "option": f"the value after --{name}",
    }.get(kind, label)
