"""The search page: /<lang>/search?q=... with the catalogue's filters."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, url_for

from kb.services import catalogue, search
from kb.web import pagecache
from kb.web.args import MAX_QUERY, parse_listing
from kb.web.localised import found, localised_blueprint

bp = localised_blueprint("search", __name__)


@bp.get("/search")
def results():
    vocab = catalogue.vocabulary()
    listing = parse_listing(request.args, vocab, search.SORTS, search.DEFAULT_SORT)
    text = request.args.get("q", "").strip()[:MAX_QUERY]
    if not text:
        # Nothing typed: the browse view, with the same filters.
        return redirect(url_for("public.practice_list", **listing.filters.to_args()))
    result, practices = found(
        search.search_practices,
        text,
        g.lang,
        listing.filters,
        listing.page,
        current_app.config["SEARCH_PAGE_SIZE"],
        listing.sort,
    )
    pagecache.depends_on_search(result)
    return render_template(
        "search.html",
        text=text,
        listing=listing,
        result=result,
        practices=practices,
        facets=result.facets,
        vocab=vocab,
    )
