"""Citations: the "Cite this" box of practice and version pages, and the downloads at
/practices/<id>/cite.{bib,ris,json} and /practices/<id>/v/<n>/cite.{bib,ris,json}."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, g, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_login import current_user

from kb.config import LANGUAGES
from kb.errors import NotFound
from kb.i18n import preferred_language
from kb.services import citations, curation, history, tables

bp = Blueprint("cite", __name__)
FORMATS = {
    "bib": ("application/x-bibtex", citations.bibtex),
    "ris": ("application/x-research-info-systems", citations.ris),
    "json": ("application/vnd.citationstyles.csl+json", citations.csl_json),
}
FORMAT = "any(bib, ris, json)"


def work(practice_id: int, number: int | None, lang: str) -> citations.Work:
    """The practice (its latest version, under its permanent link) or one version of it."""
    snapshot, version, published_at = history.citable(practice_id, number)
    if number is None:
        path = url_for("root.permalink", practice_id=practice_id)
    else:
        path = url_for("public.version", lang=lang, practice_id=practice_id, number=number)
    with force_locale(lang):
        publisher = publisher_name()
    return citations.Work(
        snapshot=snapshot,
        version=version,
        year=published_at.year,
        url=current_app.config["BASE_URL"].rstrip("/") + path,
        accessed=date.today(),
        publisher=publisher,
    )


def publisher_name() -> str:
    return _("Fair Recruitment Practices Knowledge Base")


def accessed_phrase(style: str) -> str:
    today = format_date(date.today(), "long")
    if style == "apa":
        return _("Retrieved {date}, from").format(date=today)
    return _("Accessed {date}.").format(date=today)


def citation(practice_id: int, style: str, number: int | None = None) -> str:
    """One reference in ``style``, in the page's language."""
    item = citations.csl_item(work(practice_id, number, g.lang), g.lang)
    return citations.formatted(item, style, g.lang, accessed_phrase(style))


def cite_box(practice_id: int, number: int | None = None) -> dict:
    """What the "Cite this" box shows, in the page's language."""
    lang = g.lang
    item = citations.csl_item(work(practice_id, number, lang), lang)
    return {
        "styles": {
            style: citations.formatted(item, style, lang, accessed_phrase(style))
            for style in citations.STYLES
        },
        "downloads": {
            fmt: (
                url_for("cite.practice", practice_id=practice_id, fmt=fmt, lang=lang)
                if number is None
                else url_for(
                    "cite.version", practice_id=practice_id, number=number, fmt=fmt, lang=lang
                )
            )
            for fmt in FORMATS
        },
    }


def download(practice_id: int, number: int | None, fmt: str):
    lang = request.args.get("lang")
    if lang not in LANGUAGES:
        lang = preferred_language()
    try:
        item = citations.csl_item(work(practice_id, number, lang), lang)
    except NotFound:
        abort(404)
    mimetype, write = FORMATS[fmt]
    response = current_app.response_class(write([item]), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{citations.filename(item, fmt)}"'
    )
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.get(f"/practices/<int(max=2147483647):practice_id>/cite.<{FORMAT}:fmt>")
def practice(practice_id: int, fmt: str):
    return download(practice_id, None, fmt)


@bp.get(
    f"/practices/<int(max=2147483647):practice_id>/v/<int(max=100000):number>/cite.<{FORMAT}:fmt>"
)
def version(practice_id: int, number: int, fmt: str):
    return download(practice_id, number, fmt)


# --- a collection, all its items -------------------------------------------------------------
TABLE_FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def collection_table(items: list[dict], entries: list, lang: str) -> tuple[list, list]:
    """One row per practice: what a spreadsheet of the collection holds."""
    other = "es" if lang == "en" else "en"
    header = [
        _("Title"),
        _("Authors"),
        _("Year"),
        _("Version"),
        _("Permanent link"),
        _("Curator's note"),
        _("Cite as"),
    ]
    rows = [
        [
            item["title"],
            "; ".join(author["literal"] for author in item.get("author", [])),
            item["issued"]["date-parts"][0][0],
            int(item["version"]),
            item["URL"],
            getattr(entry, f"note_{lang}") or getattr(entry, f"note_{other}"),
            citations.formatted(item, "apa", lang, accessed_phrase("apa")),
        ]
        for item, entry in zip(items, entries, strict=True)
    ]
    return header, rows


@bp.get("/collections/<slug>/cite.<any(bib, ris, json, csv, xlsx):fmt>")
def collection(slug: str, fmt: str):
    """Every practice of a collection, in its order: as citations, or as a table."""
    lang = request.args.get("lang")
    if lang not in LANGUAGES:
        lang = preferred_language()
    try:
        _collection, entries = curation.get(slug, current_user)
    except NotFound:
        abort(404)
    items = [citations.csl_item(work(practice.id, None, lang), lang) for _e, practice in entries]
    if fmt in FORMATS:
        mimetype, write = FORMATS[fmt]
        body = write(items)
    else:
        mimetype = TABLE_FORMATS[fmt]
        with force_locale(lang):
            header, rows = collection_table(items, [entry for entry, _p in entries], lang)
        write = tables.csv_bytes if fmt == "csv" else tables.xlsx_bytes
        body = write(header, rows, slug)
    response = current_app.response_class(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}.{fmt}"'
    return response
