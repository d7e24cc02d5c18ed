"""Reading typed fields from one YAML mapping of a seed file, with a Problem for each bad or
unknown field (the building block of :mod:`kb.services.seed_schema`)."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kb.services.yamlfile import Problem

_MISSING = object()


class Fields:
    """Reads typed fields from one mapping, recording a Problem for each bad or unknown field."""

    def __init__(
        self, mapping, file: str, problems: list[Problem], prefix: str = "", line: int | None = None
    ):
        self.mapping = mapping if isinstance(mapping, dict) else {}
        self.file, self.problems, self.prefix = file, problems, prefix
        # Problems about the mapping as a whole point at the key that holds it.
        self.line = line or getattr(mapping, "line", 1)
        self.seen: set[str] = set()
        if not isinstance(mapping, dict):
            self.problem("", "expected a mapping of fields", self.line)

    def name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix and key else (key or self.prefix)

    def line_of(self, key: str) -> int:
        return getattr(self.mapping, "key_lines", {}).get(key, self.line)

    def problem(self, key: str, message: str, line: int | None = None) -> None:
        self.problems.append(
            Problem(self.file, line or self.line_of(key), self.name(key) or "(file)", message)
        )

    def take(self, key, kind="str", *, required=True, choices=None, default=None, max_len=None):
        self.seen.add(key)
        value = self.mapping.get(key, _MISSING)
        if value is _MISSING or value is None or value == "":
            if required:
                self.problem(key, "is required")
            return default
        checked = _check(kind, value)
        if checked is _MISSING:
            self.problem(key, f"expected {_KIND_NAMES[kind]}, got {value!r}")
            return default
        if choices is not None and checked not in choices:
            allowed = ", ".join(str(c) for c in choices)
            self.problem(key, f"{checked!r} is not one of: {allowed}")
            return default
        if max_len and isinstance(checked, str) and len(checked) > max_len:
            self.problem(key, f"is {len(checked)} characters long; at most {max_len}")
            return default
        return checked

    def take_list(self, key, kind="str", *, required=False, pattern=None, choices=None):
        """A list of scalars; returns [(value, line), ...] for the valid items."""
        self.seen.add(key)
        value = self.mapping.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.problem(key, "is required")
            return []
        if not isinstance(value, list):
            self.problem(key, f"expected a list, got {value!r}")
            return []
        if required and not value:
            self.problem(key, "needs at least one item")
        lines = getattr(value, "item_lines", [self.line_of(key)] * len(value))
        items = []
        for index, (item, line) in enumerate(zip(value, lines, strict=True)):
            checked = _check(kind, item)
            label = f"{key}[{index}]"
            if checked is _MISSING:
                self.problem(label, f"expected {_KIND_NAMES[kind]}, got {item!r}", line)
            elif pattern is not None and not pattern.match(str(checked)):
                self.problem(label, f"{checked!r} is not well formed", line)
            elif choices is not None and checked not in choices:
                self.problem(
                    label, f"{checked!r} is not one of: {', '.join(map(str, choices))}", line
                )
            elif checked in [i for i, _ in items]:
                self.problem(label, f"{checked!r} is listed twice", line)
            else:
                items.append((checked, line))
        return items

    def take_maps(self, key, *, required=False):
        """A list of mappings, each wrapped in its own Fields."""
        self.seen.add(key)
        value = self.mapping.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.problem(key, "is required")
            return []
        if not isinstance(value, list):
            self.problem(key, "expected a list of mappings")
            return []
        return [
            Fields(item, self.file, self.problems, f"{self.name(key)}[{index}]")
            for index, item in enumerate(value)
        ]

    def sub(self, key, *, required=True):
        self.seen.add(key)
        value = self.mapping.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.problem(key, "is required")
            return None
        return Fields(value, self.file, self.problems, self.name(key), self.line_of(key))

    def finish(self) -> None:
        for key in self.mapping:
            if key not in self.seen:
                self.problem(str(key), "unknown field")


_KIND_NAMES = {
    "str": "text",
    "int": "a whole number",
    "bool": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "year": "a year between 1900 and 2100",
    "time": 'a time of day in quotes ("09:30")',
    "zone": "an IANA time zone (America/Lima)",
}


def _check(kind: str, value):
    if kind == "str":
        return value.strip() if isinstance(value, str) else _MISSING
    if kind == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) else _MISSING
    if kind == "bool":
        return value if isinstance(value, bool) else _MISSING
    if kind == "date":
        return value if isinstance(value, date) else _MISSING
    if kind == "year":
        ok = isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100
        return value if ok else _MISSING
    if kind == "time":
        # Unquoted, YAML reads 11:30 as the number 690: a time must be quoted text.
        try:
            return time.fromisoformat(value) if isinstance(value, str) else _MISSING
        except ValueError:
            return _MISSING
    if kind == "zone":
        try:
            # An Area/City name: not "localtime" and the like, which depend on the server.
            ok = isinstance(value, str) and "/" in value and ZoneInfo(value).key == value
            return value if ok else _MISSING
        except (ValueError, ZoneInfoNotFoundError):
            return _MISSING
    raise ValueError(kind)
