"""Presentation mode: /<lang>/collections/<slug>/present, one practice per full-screen slide
with a QR code to its permanent link; printed, the same page is the handout."""

from __future__ import annotations

from collections import Counter

import segno
from flask import g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

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


@bp.get("/collections/<slug>/present")
def slides(slug: str):
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
                "citation": cite.cite_box(practice.id)["styles"]["apa"],
                # The collection's note on this practice, else the practice's curator's note.
                "note": pick_text(entry, "note", g.lang)
                if (entry.note_en or entry.note_es)
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
