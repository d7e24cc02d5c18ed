"""The public catalogue under /<lang>/: home, practices, corridors, countries, themes, pillars,
collections, events and the about page."""

from __future__ import annotations

from datetime import date

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user

from kb.errors import NotFound
from kb.i18n import pick_field
from kb.services import catalogue, curation, discovery, history, practices, versions
from kb.values.filters import CORRIDOR_SLUG, Filters
from kb.web import cite, pagecache
from kb.web.args import parse_listing
from kb.web.helpers import absolute
from kb.web.localised import found, localised_blueprint

bp = localised_blueprint("public", __name__)


RELATED = "practice-related"


def _related_now(day: str, *relatedness) -> frozenset[int] | None:
    """The practices a practice's page would show if made now (pagecache.recheck_with)."""
    if day != date.today().isoformat():
        return None
    return frozenset((relatedness[0], *practices.related_ids(*relatedness)))


pagecache.RECHECKS[RELATED] = _related_now


def permalink(practice_id: int) -> str:
    return absolute(url_for("root.permalink", practice_id=practice_id))


@bp.get("/")
def home():
    return render_template(
        "home.html",
        stats=catalogue.stats(),
        vocab=catalogue.vocabulary(),
        theme_counts=catalogue.counts_by_theme(),
        pillar_counts=catalogue.counts_by_pillar(),
        matrix=catalogue.corridor_matrix(),
        collections=catalogue.featured_collections(),
        curated=curation.curated_practices(),
        events=catalogue.list_events(),
        recent=catalogue.recently_published(),
    )


@bp.get("/about")
def about():
    return render_template("about.html", vocab=catalogue.vocabulary())


@bp.get("/practices/")
def practice_list():
    vocab = catalogue.vocabulary()
    listing = parse_listing(request.args, vocab)
    page, facets = found(
        practices.browse_published,
        listing.filters,
        g.lang,
        listing.sort,
        listing.page,
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "practices/list.html",
        listing=listing,
        page=page,
        facets=facets,
        vocab=vocab,
        sorts=practices.SORTS,
    )


@bp.get("/practices/<int(max=2147483647):practice_id>")
@bp.get("/practices/<int(max=2147483647):practice_id>-<slug>")
def practice(practice_id: int, slug: str | None = None):
    try:
        item = practices.get_published(practice_id)
    except NotFound:
        if last := history.withdrawn(practice_id):
            return render_template("practices/withdrawn.html", version=last), 410
        abort(404)
    if slug is not None and slug != item.slug:
        return redirect(url_for(".practice", practice_id=item.id, slug=item.slug), code=301)
    related = practices.related(item)
    # Kept while these practices are unchanged; after PAGE_CACHE_SECONDS, kept on if the same
    # practices are related on the same day (the references' access date): a newly related
    # practice shows within PAGE_CACHE_SECONDS.
    pagecache.depends_on(item.id, *(other.id for other in related))
    pagecache.recheck_with(RELATED, date.today().isoformat(), *practices.relatedness(item))
    return render_template(
        "practices/detail.html",
        practice=item,
        title=pick_field(item.translations, "title", g.lang),
        related=related,
        cite=cite.cite_box(item.id),
        json_ld=discovery.practice_ld(item, g.lang, permalink(item.id), cite.publisher_name()),
    )


@bp.get("/practices/<int(max=2147483647):practice_id>/v/<int(max=100000):number>")
def version(practice_id: int, number: int):
    frozen = found(history.get_version, practice_id, number)
    pagecache.depends_on(practice_id)
    item = versions.thaw(frozen.snapshot)
    return render_template(
        "practices/detail.html",
        practice=item,
        title=pick_field(item.translations, "title", g.lang),
        related=[],
        version=frozen,
        cite=cite.cite_box(practice_id, number),
    )


@bp.get("/practices/<int(max=2147483647):practice_id>/history")
def practice_history(practice_id: int):
    entries = found(history.history, practice_id)
    pagecache.depends_on(practice_id)
    latest = versions.thaw(entries[0].version.snapshot)
    return render_template(
        "practices/history.html",
        practice=latest,
        title=pick_field(latest.translations, "title", g.lang),
        entries=entries,
    )


@bp.get("/corridors/")
def corridor_index():
    return render_template("corridors/index.html", matrix=catalogue.corridor_matrix())


@bp.get("/corridors/<slug>")
def corridor(slug: str):
    if slug != slug.upper() and CORRIDOR_SLUG.match(slug.upper()):
        return redirect(url_for(".corridor", slug=slug.upper()), code=301)
    item = found(catalogue.get_corridor, slug)
    page = practices.list_published(Filters(corridors=(item.slug,)), g.lang, size=500)
    return render_template("corridors/detail.html", corridor=item, page=page)


@bp.get("/countries/<code>")
def country(code: str):
    if code != code.upper() and len(code) == 2:
        return redirect(url_for(".country", code=code.upper()), code=301)
    return render_template(
        "countries/detail.html", overview=found(catalogue.country_overview, code)
    )


@bp.get("/themes/")
def theme_index():
    return render_template(
        "themes/index.html", vocab=catalogue.vocabulary(), counts=catalogue.counts_by_theme()
    )


@bp.get("/themes/<slug>")
def theme(slug: str):
    item = found(catalogue.get_theme, slug)
    page = practices.list_published(Filters(themes=(slug,)), g.lang, size=500)
    return render_template(
        "themes/detail.html",
        theme=item,
        page=page,
        vocab=catalogue.vocabulary(),
        grid=catalogue.coverage_grid(),
    )


@bp.get("/pillars/")
def pillar_index():
    return render_template(
        "pillars/index.html",
        vocab=catalogue.vocabulary(),
        counts=catalogue.counts_by_pillar(),
        theme_counts=catalogue.counts_by_theme(),
        grid=catalogue.coverage_grid(),
    )


@bp.get("/pillars/<int(max=9):number>")
def pillar(number: int):
    item = found(catalogue.get_pillar, number)
    page = practices.list_published(Filters(pillars=(number,)), g.lang, size=500)
    return render_template(
        "pillars/detail.html",
        pillar=item,
        page=page,
        vocab=catalogue.vocabulary(),
        grid=catalogue.coverage_grid(),
    )


@bp.get("/collections/<slug>")
def collection(slug: str):
    item, entries = found(curation.get, slug, current_user)
    url = absolute(url_for(".collection", slug=slug))
    practices_in_order = [practice for _item, practice in entries]
    json_ld = discovery.collection_ld(item, practices_in_order, g.lang, url, permalink)
    return render_template(
        "collections/detail.html", collection=item, entries=entries, json_ld=json_ld
    )


@bp.get("/events/<slug>")
def event(slug: str):
    item, items = found(catalogue.get_event, slug, curation.is_editor(current_user))
    json_ld = discovery.event_ld(item, g.lang, absolute(url_for(".event", slug=slug)))
    return render_template("events/detail.html", event=item, practices=items, json_ld=json_ld)
