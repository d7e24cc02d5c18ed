"""Presentation mode: /<lang>/collections/<slug>/present, one practice per full-screen slide
with a QR code to its permanent link; printed, the same page is the handout."""

from __future__ import annotations

import mimetypes
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import segno
from flask import current_app, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from kb.i18n import pick_field, pick_text
from kb.services import curation
from kb.web import cite
from kb.web.helpers import absolute
from kb.web.localised import found, localised_blueprint

bp = localised_blueprint("present", __name__)


def qr_svg(url: str, label: str) -> Markup:
    """An SVG QR code made here (no network), sized by the stylesheet, with a text label."""
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr", lineclass="qr__modules", title=label
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


def render_slides(slug: str) -> str:
    collection, entries = found(curation.get, slug, current_user)
    items = []
    for entry, practice in entries:
        link = absolute(url_for("root.permalink", practice_id=practice.id))
        items.append(
            {
                "practice": practice,
                "title": pick_field(practice.translations, "title", g.lang),
                "summary": pick_field(practice.translations, "summary", g.lang),
                "link": link,
                "qr": qr_svg(link, _("QR code of the permanent link {link}").format(link=link)),
                "citation": cite.citation(practice.id, "apa"),
                # The collection's note on this practice, else the practice's curator's note.
                "note": pick_text(entry, "note", g.lang)
                if (entry.note_en or entry.note_es) or not practice.is_curated
                else pick_text(practice, "curator_note", g.lang),
            }
        )
    counts = Counter(c for _entry, practice in entries for c in practice.corridors)
    corridors = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].slug))
    collection_link = absolute(url_for("public.collection", slug=slug))
    return render_template(
        "collections/present.html",
        collection=collection,
        slides=items,
        collection_link=collection_link,
        corridors=corridors,
        collection_qr=qr_svg(
            collection_link,
            _("QR code of the collection's address {link}").format(link=collection_link),
        ),
    )


@bp.get("/collections/<slug>/present")
def slides(slug: str):
    return render_slides(slug)


@bp.get("/collections/<slug>/handout.pdf")
def handout(slug: str):
    """The slides through the print stylesheet, as a PDF (WeasyPrint; only files of this
    site are read while it is made: no network)."""
    html = render_slides(slug)
    pdf = HTML(string=html, base_url=request.host_url, url_fetcher=LocalFiles()).write_pdf()
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{slug}-handout.pdf"'
    return response


class LocalFiles(URLFetcher):
    """WeasyPrint's fetcher for the handout: the site's own static files, nothing else."""

    def fetch(self, url, headers=None):
        path = urlsplit(url).path
        prefix = current_app.static_url_path + "/"
        folder = Path(current_app.static_folder).resolve()
        file = (folder / path[len(prefix) :]).resolve() if path.startswith(prefix) else None
        if file is None or folder not in file.parents or not file.is_file():
            raise ValueError(f"not fetched while making a PDF: {url}")
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=file.read_bytes(), headers={"Content-Type": mime})
