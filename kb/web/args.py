"""Reading the catalogue's query arguments into Filters, with a notice for each value dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import abort
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from kb.services.catalogue import Vocabulary
from kb.services.practices import DEFAULT_SORT, SORTS
from kb.values.filters import CORRIDOR_SLUG, DIMENSIONS, Filters

MAX_VALUES = 20
MAX_QUERY = 500
# The query arguments the catalogue's pages read; links carry these and nothing else.
KNOWN_ARGS = (*DIMENSIONS, "year_from", "year_to", "sort", "page", "q")
# ASCII digits only: str.isdigit() accepts "²", which int() refuses.
_NUMBER = re.compile(r"[0-9]{1,6}")


def _number(raw: str) -> int | None:
    return int(raw) if _NUMBER.fullmatch(raw) else None


@dataclass(frozen=True)
class Listing:
    filters: Filters
    sort: str
    page: int
    notices: list[str]


def known_args(args: MultiDict) -> dict[str, list[str]]:
    """The arguments a page reads, at most as many values and as long as it reads them:
    what a link passes on (unknown or oversized arguments are not copied into every link)."""
    kept = {}
    for name in KNOWN_ARGS:
        values = args.getlist(name)[: 1 if name in ("q", "sort", "page") else MAX_VALUES]
        if name == "q":
            values = [value.strip()[:MAX_QUERY] for value in values]
        if values := [value for value in values if value]:
            kept[name] = values
    return kept


def _labels() -> dict[str, str]:
    return {
        "theme": _("theme"),
        "pillar": _("pillar"),
        "region": _("region"),
        "country": _("country"),
        "corridor": _("corridor"),
        "actor": _("actor type"),
        "implementation": _("implementation status"),
        "sector": _("sector"),
        "subdivision": _("province or state"),
        "women": _("women migrant workers"),
    }


def _normalise(param: str, raw: str, vocab: Vocabulary):
    value = raw.strip()
    if param == "pillar":
        number = _number(value)
        return number if number in vocab.pillars else None
    if param in ("country", "corridor", "subdivision"):
        value = value.upper()
        if param == "corridor" and not CORRIDOR_SLUG.match(value):
            return None
        return value if value in getattr(vocab, DIMENSIONS[param]) else None
    return value if value in getattr(vocab, DIMENSIONS[param]) else None


def _year(args: MultiDict, name: str, notices: list[str]) -> int | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    year = _number(raw)
    if year is not None and 1900 <= year <= 2100:
        return year
    notices.append(_("“{value}” is not a year; that filter was ignored.").format(value=raw))
    return None


def parse_listing(
    args: MultiDict, vocab: Vocabulary, sorts=SORTS, default_sort: str = DEFAULT_SORT
) -> Listing:
    """Filters, sort and page from the query. Bad filter values become notices; a page number
    that is not a positive whole number is a 400."""
    notices: list[str] = []
    values = {}
    labels = _labels()
    for param, name in DIMENSIONS.items():
        kept = []
        for raw in args.getlist(param)[:MAX_VALUES]:
            value = _normalise(param, raw, vocab)
            if value is None:
                notices.append(
                    _("There is no {filter} “{value}”; that filter was ignored.").format(
                        filter=labels[param], value=raw
                    )
                )
            elif value not in kept:
                kept.append(value)
        values[name] = tuple(kept)
    year_from = _year(args, "year_from", notices)
    year_to = _year(args, "year_to", notices)
    if year_from and year_to and year_from > year_to:
        notices.append(_("The years were in the wrong order; they have been swapped."))
        year_from, year_to = year_to, year_from
    sort = args.get("sort", default_sort)
    if sort not in sorts:
        notices.append(
            _("Unknown sort order “{value}”; the default order is used.").format(value=sort)
        )
        sort = default_sort
    page = _number(args.get("page", "1").strip())
    if page is None or page < 1:
        abort(400, description=_("The page number must be a whole number from 1 up."))
    return Listing(Filters(**values, year_from=year_from, year_to=year_to), sort, page, notices)
