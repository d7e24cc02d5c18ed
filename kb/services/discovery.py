"""What lets others find and reuse the catalogue: schema.org JSON-LD, Atom feeds and the
sitemap. Built from loaded records; the caller gives the site's address and the labels."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feedgen.feed import FeedGenerator

from kb.i18n import pick_field, pick_text


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def organisation(name: str) -> dict:
    return {"@type": "Organization", "name": name}


def practice_ld(practice, lang: str, url: str, publisher: str) -> dict:
    """A practice as a schema.org CreativeWork."""
    title = pick_field(practice.translations, "title", lang)
    summary = pick_field(practice.translations, "summary", lang)
    data = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": url,
        "url": url,
        "name": title.value,
        "description": summary.value,
        "inLanguage": title.lang,
        "publisher": organisation(publisher),
        "about": [pick_text(t, "name", lang).value for t in practice.themes],
        "spatialCoverage": [
            {"@type": "Country", "identifier": code}
            for code in sorted(practice.involved_country_codes)
        ],
    }
    authors = [
        pick_text(link.organisation, "name", lang).value
        for link in practice.organisation_links
        if str(link.role) == "implementer"
    ]
    if authors:
        data["author"] = [organisation(name) for name in authors]
    if practice.published_at:
        data["datePublished"] = aware(practice.published_at).date().isoformat()
    if practice.start_year:
        end = practice.end_year or ""
        data["temporalCoverage"] = f"{practice.start_year}/{end or '..'}"
    return data


def collection_ld(collection, items: list, lang: str, url: str, link_for: Callable) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "Collection",
        "@id": url,
        "url": url,
        "name": pick_text(collection, "title", lang).value,
        "description": pick_text(collection, "description", lang).value,
        "hasPart": [
            {
                "@type": "CreativeWork",
                "url": link_for(practice.id),
                "name": pick_field(practice.translations, "title", lang).value,
            }
            for practice in items
        ],
    }


def _moment(day, at, zone_name: str) -> str:
    """ISO 8601 date, or date and time with its UTC offset when the time is known."""
    if at is None:
        return day.isoformat()
    try:
        zone = ZoneInfo(zone_name)
    except (ValueError, ZoneInfoNotFoundError):
        return datetime.combine(day, at).isoformat(timespec="minutes")
    return datetime.combine(day, at, zone).isoformat(timespec="minutes")


ATTENDANCE = {
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "in_person": "https://schema.org/OfflineEventAttendanceMode",
    "hybrid": "https://schema.org/MixedEventAttendanceMode",
}


def event_ld(event, lang: str, url: str) -> dict:
    place = {"@type": "Place", "name": pick_text(event, "venue", lang).value}
    virtual = {"@type": "VirtualLocation", "url": url}
    location = {"online": virtual, "hybrid": [place, virtual]}.get(str(event.format), place)
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": url,
        "url": url,
        "name": pick_text(event, "title", lang).value,
        "description": pick_text(event, "description", lang).value,
        "startDate": _moment(event.starts_on, event.start_time, event.time_zone),
        "eventAttendanceMode": ATTENDANCE.get(str(event.format), ATTENDANCE["online"]),
        "location": location,
        "organizer": [organisation(pick_text(o, "name", lang).value) for o in event.organisers],
        "inLanguage": [code for code in event.languages.split(",") if code],
    }
    if event.end_time is not None:
        data["endDate"] = _moment(event.starts_on, event.end_time, event.time_zone)
    return data


def atom(
    *,
    feed_url: str,
    page_url: str,
    title: str,
    lang: str,
    practices: Iterable,
    link_for: Callable[[int], str],
) -> bytes:
    """An Atom feed of ``practices``: each entry's id is its permanent link."""
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(title)
    feed.language(lang)
    feed.link(href=feed_url, rel="self")
    feed.link(href=page_url, rel="alternate")
    newest = datetime(2021, 1, 1, tzinfo=UTC)
    for practice in practices:
        entry = feed.add_entry(order="append")
        link = link_for(practice.id)
        published = aware(practice.published_at or practice.updated_at)
        newest = max(newest, published)
        entry.id(link)
        entry.link(href=link)
        entry.title(pick_field(practice.translations, "title", lang).value)
        entry.summary(pick_field(practice.translations, "summary", lang).value)
        entry.published(published)
        entry.updated(aware(practice.updated_at))
        for theme in practice.themes:
            entry.category(term=theme.slug, label=pick_text(theme, "name", lang).value)
    feed.updated(newest)
    return feed.atom_str(pretty=True)


def sitemap(pages: Iterable[tuple[dict[str, str], date | None]]) -> str:
    """``pages``: ({language: url}, last change). Each URL is listed with its other-language
    alternates (hreflang), as search engines expect of a bilingual site."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for urls, changed in pages:
        for url in urls.values():
            lines.append(f"  <url><loc>{escape(url)}</loc>")
            if changed:
                lines.append(f"    <lastmod>{changed.isoformat()}</lastmod>")
            for code, other in urls.items():
                lines.append(
                    f'    <xhtml:link rel="alternate" hreflang="{code}" href={quoteattr(other)}/>'
                )
            lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"
