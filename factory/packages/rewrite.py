"""Text rewrite rules: ``dev_dw.`` to ``prod_dw.`` in the scripts and node properties that a promotion moves.

A rule is **literal** (a piece of text, by default matched as a whole word: ``dev`` does not touch
``device``) or a **regular expression** of a safe subset of Python's syntax, checked when the rule is saved
(``rule_check``) so that applying it can never take exponential time:

- it is **anchored**: it starts with ``^`` (the start of a line) or ends with ``$`` (its end); a rule is
  matched against each line of a text separately (a one-line value is one line), at most once a line;
- a quantifier (``* + ? {m,n}``, lazy or not) follows a single character, escape or class only, never a
  group, so nothing is repeated inside a repetition (``(a+)+``, ``(\\w+\\s?)*``, ``(a|aa)*``);
- at most two variable quantifiers (one in a rule anchored only by ``$``, which is tried at each position
  of a line), at most 32 combinations of alternatives, 200 characters, no back-references, look-arounds,
  inline flags or conditionals; it cannot match the empty text;
- lines longer than ``MAX_REGEX_LINE`` characters are not tried (the result says which); with the rules
  above the work on one line is at most quadratic in its length, so a line is done in milliseconds.

The replacement of a regular expression may name its groups (``\\1``, ``\\g<1>``, ``\\g<name>``; ``\\\\`` is a
backslash); a literal rule's replacement is taken as it is. Neither ``find`` nor ``replace`` may hold a
line break (a rewrite never changes a text's lines, so that each one can be shown beside the line it was).

What is rewritten: in a job, the string values of its nodes' properties (``properties[].value``), never
names or structure (node names, types, edges, schedule) and never a property that refers to another object
(the reference maps rename those); in a script, its ``content`` and its other string values (nested ones
too), never its ``name``, ``type``, ``directory`` or the keys that refer to other objects. **Secrets are
never rewritten nor shown**: a property flagged ``value_is_sensitive``, named like a secret, or listed as
sensitive by the caller (the node-type registry's) is left alone, and so is every key named like a secret;
in any other text the secret parts (``factory.packages.secrets``: a URL's password, ``password=...``, an
``Authorization:`` line) are never touched, and every line shown has them masked as ``******``.

Each change is recorded as a :class:`Rewrite` (object, node, path, line, the line before and after, the
rules that made it), so that the change-set can show every rewrite a profile makes. Pure Python, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from factory.packages.diff import SECRET_MASK, path_text
from factory.packages.redact import flag_true
from factory.packages.secrets import Slot, secret_name_like, text_secret_slots

MAX_RULES = 50
MAX_FIND = 256
MAX_REPLACE = 1024
MAX_PATTERN = 200
MAX_REGEX_LINE = 4096
"""Lines longer than this are not tried by regular expressions (literal rules still apply)."""
MAX_VARIABLE_QUANTIFIERS = 2
MAX_ALTERNATIVES = 32
MAX_REPEAT = 1000
SCRIPT_STRUCTURE_KEYS = frozenset({"name", "type", "directory", "content"})
"""A script's keys that are never rewritten as values (``content`` is rewritten line by line apart)."""

ObjectType = Literal["job", "script"]


class RuleError(ValueError):
    """A rule that cannot be used: ``field`` is ``find`` or ``replace``; the message says why, in words."""

    def __init__(self, message: str, *, field: str = "find", index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.index = index


@dataclass(frozen=True)
class TextRule:
    """Replace ``find`` with ``replace``: literally (as a whole word when ``whole_word``) or, when
    ``regex``, as an anchored regular expression of the safe subset (see the module)."""

    find: str
    replace: str
    regex: bool = False
    whole_word: bool = True

    def to_json(self) -> dict[str, Any]:
        """The rule in its JSON form (``{find, replace, regex, wholeWord}``), as profiles, import choices
        and the API keep it."""
        return {"find": self.find, "replace": self.replace, "regex": self.regex, "wholeWord": self.whole_word}

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> TextRule:
        """A rule of :meth:`to_json`'s form (``wholeWord`` true when absent)."""
        return cls(
            find=str(item.get("find") or ""),
            replace=str(item.get("replace") or ""),
            regex=bool(item.get("regex")),
            whole_word=bool(item.get("wholeWord", True)),
        )


@dataclass(frozen=True)
class Rewrite:
    """One line changed by the rules: ``object_type``/``object_name`` (the job or script), ``node`` (a
    job's node, else None), ``path`` (``properties.sql.value``, ``content``, ``configuration.schema``),
    ``line`` (1-based), the line ``before`` and ``after`` (secret parts masked), the indexes of the
    ``rules`` that changed it (in the order applied)."""

    object_type: ObjectType
    object_name: str
    node: str | None
    path: str
    line: int
    before: str
    after: str
    rules: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "objectType": self.object_type,
            "objectName": self.object_name,
            "node": self.node,
            "path": self.path,
            "line": self.line,
            "before": self.before,
            "after": self.after,
            "rules": list(self.rules),
        }


@dataclass(frozen=True)
class RewriteResult:
    """The rewritten document (a new one; the input is never changed), what changed, and the notes on
    what was not tried (a line too long for the regular expressions)."""

    document: dict[str, Any]
    rewrites: tuple[Rewrite, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.rewrites)


# --- checking a regular expression ---------------------------------------------------------------------

_CLASS_ESCAPES = frozenset("dDwWsS")
_CHAR_ESCAPES = frozenset("ntrfv")
_REFUSED_ESCAPES = {
    "A": "use ^ instead of \\A",
    "Z": "use $ instead of \\Z",
    "z": "use $ instead of \\z",
    "G": "\\G is not supported",
}
_SINGLE = "single"  # an atom a quantifier may follow: a character, an escape, a class, "."


@dataclass
class _Shape:
    """What the parser learnt of a pattern: its variable quantifiers, combinations of alternatives,
    groups and their names."""

    variable: int = 0
    groups: int = 0
    names: set[str] = field(default_factory=set)


class _Parser:
    """A recursive-descent parser of the subset; it computes each part's minimal length (to refuse a
    pattern that matches the empty text) and the combinations of alternatives."""

    def __init__(self, pattern: str, *, offset: int = 0) -> None:
        self.text = pattern
        self.offset = offset  # where ``pattern`` starts in what the user wrote (after a leading ^)
        self.at = 0
        self.shape = _Shape()

    def fail(self, message: str) -> RuleError:
        return RuleError(f"{message} (at character {self.offset + self.at + 1} of the expression).")

    def peek(self) -> str | None:
        return self.text[self.at] if self.at < len(self.text) else None

    def alternation(self, *, top: bool) -> tuple[int, int]:
        """(minimal length, combinations) of ``a|b|...`` up to a ``)`` or the end."""
        branches = [self.sequence(top=top)]
        while self.peek() == "|":
            if top:
                raise self.fail(
                    "Alternatives at the top level are not anchored: put them in a group, ^(?:a|b)"
                )
            self.at += 1
            branches.append(self.sequence(top=top))
        combinations = sum(c for _, c in branches)
        return min(length for length, _ in branches), combinations

    def sequence(self, *, top: bool) -> tuple[int, int]:
        length, combinations = 0, 1
        while (ch := self.peek()) is not None and ch not in "|)":
            if ch == "$":
                if not (top and self.at == len(self.text) - 1):
                    raise self.fail("$ may only end the expression")
                self.at += 1
                continue
            if ch == "^":
                raise self.fail("^ may only start the expression")
            kind, atom_length, atom_combinations = self.atom()
            minimum = self.quantifier(kind)
            if minimum is None:
                length += atom_length
            else:
                length += atom_length * minimum
            combinations *= atom_combinations
            if combinations > MAX_ALTERNATIVES:
                raise self.fail(f"More than {MAX_ALTERNATIVES} combinations of alternatives")
        return length, combinations

    def atom(self) -> tuple[str, int, int]:
        """(kind, minimal length, combinations) of one atom."""
        ch = self.text[self.at]
        if ch == "(":
            return self.group()
        if ch == "[":
            self.char_class()
            return _SINGLE, 1, 1
        if ch == "\\":
            return self.escape()
        if ch in "*+?{":
            raise self.fail(f"{ch} has nothing to repeat")
        if ch == ")":
            raise self.fail("Unbalanced )")
        self.at += 1
        return _SINGLE, 1, 1

    def group(self) -> tuple[str, int, int]:
        self.at += 1
        if self.text.startswith("?:", self.at):
            self.at += 2
        elif self.text.startswith("?P<", self.at):
            end = self.text.find(">", self.at)
            name = self.text[self.at + 3 : end] if end > 0 else ""
            if not name.isidentifier():
                raise self.fail("A group's name is a word: (?P<name>...)")
            if name in self.shape.names:
                raise self.fail(f"The group name {name} is used twice")
            self.shape.names.add(name)
            self.shape.groups += 1
            self.at = end + 1
        elif self.peek() == "?":
            raise self.fail("Look-arounds, inline flags, back-references and conditionals are not supported")
        else:
            self.shape.groups += 1
        length, combinations = self.alternation(top=False)
        if self.peek() != ")":
            raise self.fail("Missing )")
        self.at += 1
        return "group", length, combinations

    def char_class(self) -> None:
        self.at += 1
        if self.peek() == "^":
            self.at += 1
        first = True
        while True:
            ch = self.peek()
            if ch is None:
                raise self.fail("Missing ]")
            if ch == "]" and not first:
                self.at += 1
                return
            if ch == "\\":
                self.at += 1
                escaped = self.peek()
                if escaped is None:
                    raise self.fail("A \\ ends the expression")
                if escaped.isalnum() and escaped not in _CLASS_ESCAPES | _CHAR_ESCAPES:
                    raise self.fail(f"\\{escaped} is not supported in a class")
            elif ch == "[" and self.text.startswith("[:", self.at):
                raise self.fail("POSIX classes such as [:alpha:] are not supported")
            self.at += 1
            first = False

    def escape(self) -> tuple[str, int, int]:
        self.at += 1
        ch = self.peek()
        if ch is None:
            raise self.fail("A \\ ends the expression")
        self.at += 1
        if ch in "bB":
            return "assertion", 0, 1
        if ch in _CLASS_ESCAPES or ch in _CHAR_ESCAPES:
            return _SINGLE, 1, 1
        if ch.isdigit() or ch == "g":
            self.at -= 1
            raise self.fail("Back-references are not supported")
        if ch in _REFUSED_ESCAPES:
            self.at -= 1
            raise self.fail(_REFUSED_ESCAPES[ch])
        if ch == "x":
            return self.hex_escape(2)
        if ch == "u":
            return self.hex_escape(4)
        if ch.isalnum():
            self.at -= 1
            raise self.fail(f"\\{ch} is not supported")
        return _SINGLE, 1, 1

    def hex_escape(self, digits: int) -> tuple[str, int, int]:
        text = self.text[self.at : self.at + digits]
        if len(text) != digits or any(c not in "0123456789abcdefABCDEF" for c in text):
            raise self.fail(f"Write {digits} hexadecimal digits after the escape")
        self.at += digits
        return _SINGLE, 1, 1

    def quantifier(self, kind: str) -> int | None:
        """The quantifier after an atom of ``kind`` (its minimum), or None when there is none."""
        ch = self.peek()
        if ch is None or ch not in "*+?{":
            return None
        start = self.at
        if ch == "{":
            match = re.compile(r"\{(\d{1,4})(,(\d{0,4}))?\}").match(self.text, self.at)
            if match is None:
                raise self.fail("Write a repetition as {m}, {m,} or {m,n}, or a literal { as \\{")
            low = int(match.group(1))
            high = low if match.group(2) is None else int(match.group(3)) if match.group(3) else None
            if low > MAX_REPEAT or (high is not None and (high > MAX_REPEAT or high < low)):
                raise self.fail(f"A repetition is {{m,n}} with m <= n <= {MAX_REPEAT}")
            self.at = match.end()
        else:
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
            self.at += 1
        if kind != _SINGLE:
            self.at = start
            what = "a group" if kind == "group" else "an assertion"
            raise self.fail(
                f"A quantifier may follow a single character, escape or class, not {what}: a repeated "
                "group can take exponential time"
            )
        if self.peek() == "?":
            self.at += 1  # lazy
        following = self.peek()
        if following is not None and following in "*+{":
            raise self.fail("A quantifier cannot follow a quantifier")
        if high != low:
            self.shape.variable += 1
        return low


@dataclass(frozen=True)
class _Compiled:
    rule: TextRule
    pattern: re.Pattern[str] | None
    starts_anchored: bool
    template: tuple[str | int, ...]


def _template_parse(
    replace: str, *, groups: int, names: set[str], pattern: re.Pattern[str]
) -> tuple[str | int, ...]:
    """The replacement as pieces: text, or the number of a group to insert."""
    pieces: list[str | int] = []
    text = ""
    at = 0
    while at < len(replace):
        ch = replace[at]
        if ch != "\\":
            text += ch
            at += 1
            continue
        rest = replace[at + 1 :]
        number = re.match(r"\d{1,2}", rest)
        named = re.match(r"g<([^>]*)>", rest)
        if rest.startswith("\\"):
            text += "\\"
            at += 2
            continue
        if number:
            group, at = int(number.group(0)), at + 1 + number.end()
        elif named:
            ref = named.group(1)
            if ref.isdigit():
                group = int(ref)
            elif ref in names:
                group = pattern.groupindex[ref]
            else:
                raise RuleError(
                    f"The replacement names the group {ref!r}, which the expression does not have.",
                    field="replace",
                )
            at += 1 + named.end()
        else:
            raise RuleError(
                "In the replacement, \\ starts a group reference (\\1, \\g<name>) or is written \\\\.",
                field="replace",
            )
        if not 1 <= group <= groups and group != 0:
            raise RuleError(
                f"The replacement refers to group {group}; the expression has {groups}.", field="replace"
            )
        if text:
            pieces.append(text)
            text = ""
        pieces.append(group)
    if text:
        pieces.append(text)
    return tuple(pieces)


@lru_cache(maxsize=256)
def _compiled(rule: TextRule) -> _Compiled:
    """``rule`` checked (``RuleError`` naming the field), its expression compiled once."""
    if not isinstance(rule.find, str) or not rule.find:
        raise RuleError("Enter the text to find.")
    if not isinstance(rule.replace, str):
        raise RuleError("The replacement is text.", field="replace")
    for value, name in ((rule.find, "find"), (rule.replace, "replace")):
        if "\n" in value or "\r" in value:
            raise RuleError("A rule works on one line at a time: no line breaks.", field=name)
    if len(rule.replace) > MAX_REPLACE:
        raise RuleError(f"The replacement is longer than {MAX_REPLACE} characters.", field="replace")
    if not rule.regex:
        if len(rule.find) > MAX_FIND:
            raise RuleError(f"The text to find is longer than {MAX_FIND} characters.")
        return _Compiled(rule, None, False, (rule.replace,) if rule.replace else ())
    if len(rule.find) > MAX_PATTERN:
        raise RuleError(f"The expression is longer than {MAX_PATTERN} characters.")
    text = rule.find
    starts = text.startswith("^")
    ends = text.endswith("$") and not text.endswith("\\$")
    if not (starts or ends):
        raise RuleError(
            "Anchor the expression: start it with ^ (the start of a line) or end it with $ (its end)."
        )
    parser = _Parser(text[1:] if starts else text, offset=1 if starts else 0)
    length, _ = parser.alternation(top=True)
    if parser.peek() is not None:
        raise parser.fail("Unbalanced )")
    if length == 0:
        raise RuleError("The expression can match an empty text; it must match at least one character.")
    budget = MAX_VARIABLE_QUANTIFIERS if starts else 1
    if parser.shape.variable > budget:
        raise RuleError(
            f"The expression has {parser.shape.variable} variable repetitions (*, +, ?, {{m,n}}); at most "
            f"{budget} {'are' if budget > 1 else 'is'} allowed{'' if starts else ' unless it starts with ^'}, "
            "so that a long line cannot take long."
        )
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise RuleError(f"The expression is not valid: {exc}.") from exc
    template = _template_parse(
        rule.replace, groups=parser.shape.groups, names=parser.shape.names, pattern=pattern
    )
    return _Compiled(rule, pattern, starts, template)


def rule_check(rule: TextRule) -> None:
    """Raise ``RuleError`` (with the field, ``find`` or ``replace``) unless ``rule`` may be used."""
    _compiled(rule)


def rules_check(rules: Sequence[TextRule]) -> None:
    """Every rule checked; the ``RuleError`` of the first bad one carries its ``index``."""
    if len(rules) > MAX_RULES:
        raise RuleError(f"At most {MAX_RULES} rewrite rules.", index=None)
    for index, rule in enumerate(rules):
        try:
            rule_check(rule)
        except RuleError as exc:
            exc.index = index
            raise


# --- applying rules to a text --------------------------------------------------------------------------


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _overlaps(start: int, end: int, slots: Sequence[Slot]) -> bool:
    return any(start < slot.end and slot.start < end for slot in slots if not slot.empty)


def _literal_line(line: str, rule: TextRule, slots: Sequence[Slot]) -> str:
    find = rule.find
    check_start = rule.whole_word and _word_char(find[0])
    check_end = rule.whole_word and _word_char(find[-1])
    pieces: list[str] = []
    at = 0
    search = 0
    while (found := line.find(find, search)) >= 0:
        end = found + len(find)
        bounded = not (check_start and found > 0 and _word_char(line[found - 1])) and not (
            check_end and end < len(line) and _word_char(line[end])
        )
        if bounded and not _overlaps(found, end, slots):
            pieces += [line[at:found], rule.replace]
            at = search = end
        else:
            search = found + 1
    if not pieces:
        return line
    pieces.append(line[at:])
    return "".join(pieces)


def _regex_line(line: str, compiled: _Compiled, slots: Sequence[Slot]) -> str:
    assert compiled.pattern is not None
    match = compiled.pattern.match(line) if compiled.starts_anchored else compiled.pattern.search(line)
    if match is None or match.end() == match.start() or _overlaps(match.start(), match.end(), slots):
        return line
    inserted = "".join(
        piece if isinstance(piece, str) else match.group(piece) or "" for piece in compiled.template
    )
    return line[: match.start()] + inserted + line[match.end() :]


def _masked(line: str) -> str:
    """``line`` with each secret part that holds a value shown as ``******``."""
    slots = [slot for slot in text_secret_slots(line) if not slot.empty]
    if not slots:
        return line
    pieces: list[str] = []
    at = 0
    for slot in slots:
        pieces += [line[at : slot.start], SECRET_MASK]
        at = slot.end
    pieces.append(line[at:])
    return "".join(pieces)


def _frozen_lines(text: str) -> set[int]:
    """The lines (0-based) holding a secret part that only the whole text shows (a JSON value whose key
    is on the line before): left alone whole, since the rules see one line at a time."""
    frozen: set[int] = set()
    for slot in text_secret_slots(text):
        if slot.empty:
            continue
        first = text.count("\n", 0, slot.start)
        line_start = text.rfind("\n", 0, slot.start) + 1
        line_end = text.find("\n", slot.end)
        line = text[line_start : len(text) if line_end < 0 else line_end]
        start, end = slot.start - line_start, slot.end - line_start
        if not any(s.start <= start and end <= s.end for s in text_secret_slots(line)):
            frozen.update(range(first, first + text.count("\n", slot.start, slot.end) + 1))
    return frozen


@dataclass(frozen=True)
class LineChange:
    """A line of a text changed by the rules (``line`` 1-based; ``before``/``after`` secret-masked)."""

    line: int
    before: str
    after: str
    rules: tuple[int, ...]


def text_rewrite(text: str, rules: Sequence[TextRule]) -> tuple[str, list[LineChange], list[int]]:
    """``text`` with ``rules`` applied in order, each line apart; the lines changed; the lines (1-based)
    too long for the regular expressions. Secret parts are never touched. Checks the rules first
    (``RuleError``)."""
    compiled = [_compiled(rule) for rule in rules]
    if not compiled or not text:
        return text, [], []
    has_regex = any(c.pattern is not None for c in compiled)
    frozen = _frozen_lines(text) if any(ch in text for ch in "\"'") else set()
    lines = text.split("\n")
    changes: list[LineChange] = []
    too_long: list[int] = []
    for number, line in enumerate(lines):
        if number in frozen:
            continue
        ending = "\r" if line.endswith("\r") else ""
        body = line[: -len(ending)] if ending else line
        current, applied = body, []
        for index, rule in enumerate(compiled):
            if rule.pattern is not None and len(current) > MAX_REGEX_LINE:
                continue
            slots = text_secret_slots(current)
            new = (
                _regex_line(current, rule, slots)
                if rule.pattern is not None
                else _literal_line(current, rule.rule, slots)
            )
            if new != current:
                current = new
                applied.append(index)
        if has_regex and len(body) > MAX_REGEX_LINE:
            too_long.append(number + 1)
        if current != body:
            lines[number] = current + ending
            changes.append(LineChange(number + 1, _masked(body), _masked(current), tuple(applied)))
    return ("\n".join(lines) if changes else text), changes, too_long


# --- applying rules to documents -----------------------------------------------------------------------


@dataclass
class _Collector:
    object_type: ObjectType
    object_name: str
    rules: Sequence[TextRule]
    rewrites: list[Rewrite] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self, value: str, *, node: str | None, path: str) -> str:
        new, changes, too_long = text_rewrite(value, self.rules)
        for change in changes:
            self.rewrites.append(
                Rewrite(
                    self.object_type,
                    self.object_name,
                    node,
                    path,
                    change.line,
                    change.before,
                    change.after,
                    change.rules,
                )
            )
        where = f"{self.object_type} {self.object_name}" + (f", node {node}" if node else "") + f", {path}"
        self.notes += [
            f"{where}, line {line}: longer than {MAX_REGEX_LINE} characters; the regular expressions were not tried on it."
            for line in too_long
        ]
        return new


def _name(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def job_rewrite(
    document: Any,
    rules: Sequence[TextRule],
    *,
    sensitive_properties: Mapping[str, Collection[str]] | None = None,
    reference_properties: Mapping[str, Collection[str]] | None = None,
) -> RewriteResult:
    """``document`` (a job) with ``rules`` applied to its nodes' string property values.

    ``sensitive_properties`` and ``reference_properties`` (node type -> property names: the node-type
    registry's sensitive fields and the fields that refer to other objects) are never touched, nor is a
    property flagged ``value_is_sensitive`` or named like a secret. Copies only what changes."""
    if not isinstance(document, dict):
        return RewriteResult(document=document)
    rules_check(rules)
    collector = _Collector("job", _name(document.get("name")), rules)
    nodes = document.get("nodes")
    if not rules or not isinstance(nodes, list):
        return RewriteResult(document=dict(document))
    sensitive = sensitive_properties or {}
    references = reference_properties or {}
    new_nodes = []
    for node in nodes:
        properties = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(properties, list):
            new_nodes.append(node)
            continue
        node_type = _name(node.get("type"))
        skipped = {*sensitive.get(node_type, ()), *references.get(node_type, ())}
        node_name = _name(node.get("name"))
        new_properties = []
        for prop in properties:
            name = prop.get("name") if isinstance(prop, dict) else None
            if (
                not isinstance(prop, dict)
                or not isinstance(prop.get("value"), str)
                or not isinstance(name, str)
                or name in skipped
                or secret_name_like(name)
                or flag_true(prop.get("value_is_sensitive"))
            ):
                new_properties.append(prop)
                continue
            value = collector.text(
                prop["value"], node=node_name, path=path_text(("properties", name, "value"))
            )
            new_properties.append(prop if value == prop["value"] else {**prop, "value": value})
        changed = any(new is not old for new, old in zip(new_properties, properties, strict=True))
        new_nodes.append({**node, "properties": new_properties} if changed else node)
    result = dict(document)
    if any(new is not old for new, old in zip(new_nodes, nodes, strict=True)):
        result["nodes"] = new_nodes
    return RewriteResult(result, tuple(collector.rewrites), tuple(collector.notes))


def _child(path: str, key: str) -> str:
    """``path`` and one key further: ``configuration.schema``, ``configuration["spark.sql.x"]``."""
    segment = path_text((key,))
    return path + ("" if segment.startswith("[") else ".") + segment


def _values_rewritten(value: Any, path: str, text: Callable[[str, str], str]) -> Any:
    """``value`` with every string below it rewritten, keys named like secrets left alone."""
    if isinstance(value, str):
        return text(value, path)
    if isinstance(value, dict):
        items = {
            key: item if secret_name_like(key) else _values_rewritten(item, _child(path, str(key)), text)
            for key, item in value.items()
        }
        return value if all(items[key] is value[key] for key in value) else items
    if isinstance(value, list):
        new = [_values_rewritten(item, f"{path}[{index}]", text) for index, item in enumerate(value)]
        return value if all(a is b for a, b in zip(new, value, strict=True)) else new
    return value


def script_rewrite(
    document: Any, rules: Sequence[TextRule], *, reference_keys: Collection[str] = ()
) -> RewriteResult:
    """``document`` (a script) with ``rules`` applied to its ``content`` and its other string values
    (``reference_keys``, the keys that name other objects, and ``SCRIPT_STRUCTURE_KEYS`` excepted; keys
    named like secrets are never touched). Copies only what changes."""
    if not isinstance(document, dict):
        return RewriteResult(document=document)
    rules_check(rules)
    if not rules:
        return RewriteResult(document=dict(document))
    collector = _Collector("script", _name(document.get("name")), rules)
    result = dict(document)
    if isinstance(document.get("content"), str):
        result["content"] = collector.text(document["content"], node=None, path="content")
    skipped = SCRIPT_STRUCTURE_KEYS | set(reference_keys)
    for key, value in document.items():
        if key in skipped or secret_name_like(key):
            continue
        result[key] = _values_rewritten(
            value, path_text((str(key),)), lambda text, path: collector.text(text, node=None, path=path)
        )
    return RewriteResult(result, tuple(collector.rewrites), tuple(collector.notes))
