"""Citations: the "Cite this" box of practice and version pages, and the downloads at
/practices/<id>/cite.{bib,ris,json} and /practices/<id>/v/<n>/cite.{bib,ris,json}."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, g, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from kb.config import LANGUAGES
from kb.errors import NotFound
from kb.i18n import preferred_language
from kb.services import citations, history

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


def cite_box(practice_id: int, number: int | None = None) -> dict:
    """What the "Cite this" box shows, in the page's language."""
    lang = g.lang
    item = citations.csl_item(work(practice_id, number, lang), lang)
    today = format_date(date.today(), "long")
    phrases = {
        "apa": _("Retrieved {date}, from").format(date=today),
        "chicago": _("Accessed {date}.").format(date=today),
    }
    return {
        "styles": {
            style: citations.formatted(item, style, lang, phrases[style])
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
