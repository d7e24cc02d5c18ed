"""YAML reading that remembers the line of every key, for `file:line: field: message` reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


class LinedDict(dict):
    """A mapping that knows the 1-based line of itself and of each of its keys."""

    line: int = 1
    key_lines: dict


class LinedList(list):
    line: int = 1
    item_lines: list


class _Loader(yaml.SafeLoader):
    """Safe loading, and a file nested deeper than any seed needs is refused at its line
    (rather than exhausting Python's recursion limit)."""

    max_depth = 32
    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > self.max_depth:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nested more than {self.max_depth} levels deep",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LinedDict:
    loader.flatten_mapping(node)
    result = LinedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LinedList:
    result = LinedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class YamlSyntaxError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def read(path: Path, display: str):
    """Parse one file; a syntax error becomes a Problem at the line the parser stopped."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(Problem(display, line, "(yaml)", str(exc.problem))) from exc
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(Problem(display, 1, "(file)", "not UTF-8 text")) from exc
