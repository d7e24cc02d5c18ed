"""Downloads of a practice list or a search, filters included, as CSV, XLSX or JSON:
/<lang>/practices/export.<fmt> and /<lang>/search/export.<fmt>."""

from __future__ import annotations

import functools
import json
from dataclasses import asdict
from datetime import UTC, date, datetime

from flask import abort, current_app, g, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _

from kb.services import catalogue, exports, search, tables
from kb.web.args import MAX_QUERY, Listing, parse_listing
from kb.web.helpers import absolute, evaluation_label, implementation_label
from kb.web.localised import localised_blueprint

bp = localised_blueprint("exports", __name__)
FORMAT = "any(csv, xlsx, json)"
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
SEPARATOR = "; "


@bp.get(f"/practices/export.<{FORMAT}:fmt>")
def practice_list(fmt: str):
    listing = parse_listing(request.args, catalogue.vocabulary())
    records = _gathered(exports.listed, listing.filters, g.lang, listing.sort, _max_rows())
    return _download(fmt, "practices", records, listing, None)


@bp.get(f"/search/export.<{FORMAT}:fmt>")
def search_results(fmt: str):
    vocab = catalogue.vocabulary()
    listing = parse_listing(request.args, vocab, search.SORTS, search.DEFAULT_SORT)
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    if not text:
        # Nothing typed: the search page shows the list, and so does its download.
        return practice_list(fmt)
    records = _gathered(exports.searched, text, g.lang, listing.filters, listing.sort, _max_rows())
    return _download(fmt, "search", records, listing, text)


def _max_rows() -> int:
    return current_app.config["EXPORT_MAX_ROWS"]


def _gathered(fn, *args) -> list[exports.Record]:
    try:
        return fn(*args)
    except exports.TooManyRows as error:
        abort(
            400,
            description=_(
                "This selection holds {count} practices; a download holds at most {limit}. "
                "Narrow it with the filters or the search, then download again."
            ).format(count=format_decimal(error.count), limit=format_decimal(error.limit)),
        )


def _download(fmt: str, name: str, records, listing: Listing, text: str | None):
    stamp = date.today().isoformat()
    if fmt == "json":
        body = json.dumps(_document(records, listing, text), ensure_ascii=False).encode("utf-8")
    else:
        header, rows = table(records)
        title = _("Search") if text else _("Practices")
        write = tables.csv_bytes if fmt == "csv" else tables.xlsx_bytes
        body = write(header, rows, title)
    response = current_app.response_class(body, mimetype=MIMETYPES[fmt])
    filename = f"kb-{name}-{g.lang}-{stamp}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def permalink(practice_id: int) -> str:
    return absolute(url_for("root.permalink", practice_id=practice_id))


def _names(terms) -> str:
    return SEPARATOR.join(term.name for term in terms)


def _party(party: exports.Party, roles: dict[str, str]) -> str:
    name = f"{party.name} ({party.acronym})" if party.acronym else party.name
    return f"{name} · {roles.get(party.role, party.role)}"


def _source(source: exports.Reference) -> str:
    return f"{source.title} <{source.url}>" if source.url else source.title


def table(records: list[exports.Record]) -> tuple[list[str], list[list]]:
    """The header in the page's language and one row per practice; lists joined by "; "."""
    # Each label translated once, not once per row (gettext costs more than the rest of a row).
    roles = {"implementer": _("implementer"), "partner": _("partner"), "funder": _("funder")}
    status = functools.cache(implementation_label)
    evaluation = functools.cache(evaluation_label)
    yes, no = _("Yes"), _("No")
    header = [
        _("ID"),
        _("Permanent link"),
        _("Title in English"),
        _("Title in Spanish"),
        _("Corridors"),
        _("Countries"),
        _("Provinces or states"),
        _("Themes"),
        _("Pillars"),
        _("Sectors"),
        _("Organisations"),
        _("Start year"),
        _("End year"),
        _("Implementation status"),
        _("Addresses women migrant workers"),
        _("Evaluation types"),
        _("Sources"),
        _("Last reviewed"),
    ]
    rows = [
        [
            r.id,
            permalink(r.id),
            r.title_en,
            r.title_es,
            _names(r.corridors),
            _names(r.countries),
            _names(r.subdivisions),
            _names(r.themes),
            _names(r.pillars),
            _names(r.sectors),
            SEPARATOR.join(_party(party, roles) for party in r.organisations),
            r.start_year,
            r.end_year,
            status(r.implementation_status),
            yes if r.addresses_women else no,
            SEPARATOR.join(evaluation(kind) for kind in r.evaluation_types),
            SEPARATOR.join(_source(source) for source in r.sources),
            r.last_reviewed,
        ]
        for r in records
    ]
    return header, rows


def _document(records, listing: Listing, text: str | None) -> dict:
    """The JSON download: what was asked, when, and the practices (lists as arrays)."""
    items = []
    for record in records:
        fields = asdict(record)
        fields["last_reviewed"] = record.last_reviewed and record.last_reviewed.isoformat()
        items.append({"id": record.id, "url": permalink(record.id), **fields})
    return {
        "query": text,
        "filters": listing.filters.to_args(),
        "sort": listing.sort,
        "language": g.lang,
        "count": len(items),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "practices": items,
    }
