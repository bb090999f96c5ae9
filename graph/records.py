"""Curation records: YAML files read with the line of every record and field.

A curator adds a statement by adding one record; any problem is reported as ``file:line: message``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the sources, located by file and line."""

    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class CurationError(Exception):
    """The curation sources are malformed; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Record:
    """One mapping from a curation file, with where it and each of its fields start."""

    file: Path
    line: int
    fields: dict[str, Any]
    field_lines: dict[str, int] = field(default_factory=dict)

    def problem(self, message: str, key: str | None = None) -> Problem:
        """A problem located at this record, or at one of its fields."""
        line = self.field_lines.get(key, self.line) if key else self.line
        return Problem(self.file, line, message)


_CONSTRUCTOR = yaml.SafeLoader("")  # only its constructors are used, on nodes composed elsewhere


def _plain(node: yaml.Node) -> Any:
    """Convert a composed YAML node into plain Python values (safe, no tags)."""
    if isinstance(node, yaml.ScalarNode):
        value = _CONSTRUCTOR.construct_object(node)
        del _CONSTRUCTOR.constructed_objects[node]  # it would keep every node of every file read alive
        return value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {_plain(k): _plain(v) for k, v in node.value}
    raise TypeError(node)


def _record(path: Path, node: yaml.Node) -> Record:
    if not isinstance(node, yaml.MappingNode):
        raise CurationError([Problem(path, node.start_mark.line + 1, "expected a mapping (key: value) record")])
    fields: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = str(_plain(key_node))
        if key in fields:
            raise CurationError([Problem(path, key_node.start_mark.line + 1, f"field {key!r} given twice")])
        fields[key] = _plain(value_node)
        lines[key] = key_node.start_mark.line + 1
    return Record(path, node.start_mark.line + 1, fields, lines)


# libyaml's parser (PyYAML's C binding, where it is built) composes the same nodes with the same marks about ten
# times faster than the pure-Python one: the curation of a large layer is parsed in seconds, not a minute. A text it
# rejects is parsed again by the pure-Python parser, so that an error is reported as before, in its words.
_FAST_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text: str, fast: bool = True) -> yaml.Node | None:
    """The YAML node tree of ``text`` (libyaml's parser unless ``fast`` is false; the same tree either way)."""
    if fast and _FAST_LOADER is not yaml.SafeLoader:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass  # the pure-Python parser's error is the one reported
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _compose(path: Path) -> yaml.Node | None:
    try:
        return compose(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise CurationError([Problem(path, line, f"YAML syntax: {exc.problem or exc.context}")]) from exc
    except UnicodeDecodeError as exc:
        raise CurationError([Problem(path, 1, f"not UTF-8 text: {exc}")]) from exc


def load_record_list(path: Path) -> list[Record]:
    """Read a file whose top level is a list of records."""
    root = _compose(path)
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise CurationError([Problem(path, root.start_mark.line + 1, "expected a list of records")])
    return [_record(path, n) for n in root.value]


def load_header_and_list(path: Path, list_key: str) -> tuple[Record, list[Record]]:
    """Read a file whose top level is a header mapping with one list of records under ``list_key``.

    Returns the header (without the list) and the records of the list.
    """
    root = _compose(path)
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        raise CurationError([Problem(path, line, f"expected a mapping with a {list_key!r} list")])
    header_fields: dict[str, Any] = {}
    header_lines: dict[str, int] = {}
    records: list[Record] | None = None
    for key_node, value_node in root.value:
        key = str(_plain(key_node))
        if key == list_key:
            if not isinstance(value_node, yaml.SequenceNode):
                raise CurationError([Problem(path, value_node.start_mark.line + 1, f"{list_key!r} must be a list")])
            records = [_record(path, n) for n in value_node.value]
        else:
            header_fields[key] = _plain(value_node)
            header_lines[key] = key_node.start_mark.line + 1
    if records is None:
        raise CurationError([Problem(path, 1, f"missing {list_key!r} list")])
    return Record(path, 1, header_fields, header_lines), records


def load_statement_file(path: Path) -> tuple[Record, list[Record]]:
    """Read a statements file: a header mapping (``source``) with a ``statements`` list."""
    return load_header_and_list(path, "statements")
