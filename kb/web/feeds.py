"""Feeds and maps for machines: Atom feeds of new practices (all, or of any filter or search)
under /<lang>/, and /sitemap.xml and /robots.txt at the root."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request, url_for
from flask_babel import gettext as _

from kb.config import LANGUAGES
from kb.services import catalogue, discovery, practices
from kb.services import search as search_service
from kb.values.filters import Filters
from kb.web import pagecache
from kb.web.args import MAX_QUERY, parse_listing
from kb.web.helpers import absolute, known_args, with_query
from kb.web.localised import found, localised_blueprint

bp = localised_blueprint("feeds", __name__)
root = Blueprint("machines", __name__)
FEED_SIZE = 50
ATOM = "application/atom+xml"


def permalink(practice_id: int) -> str:
    return absolute(url_for("root.permalink", practice_id=practice_id))


def feed_response(title: str, page_endpoint: str, items) -> object:
    args = known_args(request.args)
    args.pop("page", None)
    body = discovery.atom(
        feed_url=absolute(with_query(request.path, args)),
        page_url=absolute(with_query(url_for(page_endpoint), args)),
        title=title,
        lang=g.lang,
        practices=items,
        link_for=permalink,
    )
    return current_app.response_class(body, mimetype=ATOM)


@bp.get("/feed.atom")
def newest():
    items = practices.newest_published(Filters(), FEED_SIZE)
    return feed_response(_("New practices"), "public.home", items)


@bp.get("/practices/feed.atom")
def filtered():
    listing = parse_listing(request.args, catalogue.vocabulary())
    items = practices.newest_published(listing.filters, FEED_SIZE)
    return feed_response(_("New practices"), "public.practice_list", items)


@bp.get("/search/feed.atom")
def searched():
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    listing = parse_listing(request.args, catalogue.vocabulary())
    if not text:
        return filtered()
    result, items = found(
        search_service.search_practices, text, g.lang, listing.filters, 1, FEED_SIZE
    )
    pagecache.depends_on_search(result)
    # The most relevant hits, newest publication first, as feed readers expect.
    items = sorted(
        items, key=lambda p: discovery.aware(p.published_at or p.updated_at), reverse=True
    )
    return feed_response(_("Search: {query}").format(query=text), "search.results", items)


@root.get("/sitemap.xml")
def sitemap():
    def both(endpoint: str, **values) -> dict[str, str]:
        return {lang: absolute(url_for(endpoint, lang=lang, **values)) for lang in LANGUAGES}

    pages = [
        (both(endpoint), None)
        for endpoint in (
            "public.home",
            "public.practice_list",
            "public.corridor_index",
            "public.theme_index",
            "public.pillar_index",
            "public.about",
        )
    ]
    pages += [
        (both("public.practice", practice_id=pid, slug=slug), changed.date() if changed else None)
        for pid, slug, changed in practices.all_published_ids()
    ]
    body = discovery.sitemap(pages)
    return current_app.response_class(body, mimetype="application/xml")


@root.get("/robots.txt")
def robots():
    rules = ["User-agent: *", "Disallow: /*/review/", "Disallow: /*/my/"]
    body = "\n".join([*rules, f"Sitemap: {absolute('/sitemap.xml')}", ""])
    return current_app.response_class(body, mimetype="text/plain")
