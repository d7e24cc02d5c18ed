"""What the JSON API reads and returns, as marshmallow schemas: they validate the arguments and
document every response in the OpenAPI description (/api/v1/openapi.json)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kb.config import LANGUAGES
from kb.i18n import N_
from kb.services import practices, search
from kb.web.args import MAX_QUERY, MAX_VALUES

MAX_PER_PAGE = 100


def _many(description: str, item=None):
    return fields.List(
        item or fields.String(validate=validate.Length(max=80)),
        validate=validate.Length(max=MAX_VALUES),
        metadata={"description": description},
    )


class Bilingual(Schema):
    en = fields.String(required=True)
    es = fields.String(required=True)


class Links(Schema):
    self = fields.Url(required=True)


class PageLinks(Links):
    first = fields.Url(required=True)
    last = fields.Url(required=True)
    next = fields.Url(allow_none=True)
    prev = fields.Url(allow_none=True)


class Paged(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    links = fields.Nested(PageLinks, required=True)


# --- arguments -------------------------------------------------------------------------------
class PracticeQuery(Schema):
    q = fields.String(
        validate=validate.Length(max=MAX_QUERY),
        metadata={
            "description": N_("Full-text search, as on the search page (phrases, AND/OR/NOT).")
        },
    )
    lang = fields.String(
        load_default="en",
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": N_("The language searched first, and of names in notices.")},
    )
    theme = _many(N_("Theme slug (repeatable)."))
    pillar = _many(N_("Pillar number, 1 to 4 (repeatable)."), fields.Integer(strict=False))
    region = _many(N_("Region slug (repeatable)."))
    country = _many(N_("Country, ISO 3166-1 alpha-2 (repeatable)."))
    corridor = _many(N_("Corridor, ORIGIN-DESTINATION in ISO codes, e.g. MX-CA (repeatable)."))
    actor = _many(N_("Actor type slug (repeatable)."))
    implementation = _many(N_("Implementation status (repeatable)."))
    sector = _many(N_("Sector slug (repeatable)."))
    subdivision = _many(N_("Province or state, ISO 3166-2 (repeatable)."))
    women = _many(N_("1: practices with measures for women migrant workers."))
    year_from = fields.Integer(validate=validate.Range(1900, 2100))
    year_to = fields.Integer(validate=validate.Range(1900, 2100))
    sort = fields.String(
        validate=validate.OneOf(sorted({*practices.SORTS, *search.SORTS})),
        metadata={
            "description": N_(
                "Without q: title (default), newest, oldest, reviewed. With q: relevance "
                "(default), newest."
            )
        },
    )
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, MAX_PER_PAGE))


class PagingQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, MAX_PER_PAGE))


# --- the taxonomy ----------------------------------------------------------------------------
class Named(Schema):
    slug = fields.String(required=True)
    name = fields.Nested(Bilingual, required=True)


class PillarOut(Schema):
    number = fields.Integer(required=True)
    name = fields.Nested(Bilingual, required=True)
    short = fields.Nested(Bilingual, required=True)


class CountryOut(Schema):
    code = fields.String(required=True)
    name = fields.Nested(Bilingual, required=True)
    region = fields.String(required=True)


class CorridorOut(Schema):
    slug = fields.String(required=True)
    origin = fields.String(required=True)
    destination = fields.String(required=True)
    name = fields.Nested(Bilingual, required=True)


class FrameworkOut(Schema):
    key = fields.String(required=True)
    kind = fields.String(required=True)
    code = fields.String(required=True)
    title = fields.Nested(Bilingual, required=True)
    url = fields.String(allow_none=True)


class Counted(Schema):
    practices = fields.Integer(required=True, metadata={"description": N_("Published practices.")})


class ThemeOut(Named, Counted):
    pass


class PillarCounted(PillarOut, Counted):
    pass


class CorridorCounted(CorridorOut, Counted):
    pass


class Taxonomy(Schema):
    pillars = fields.List(fields.Nested(PillarCounted), required=True)
    themes = fields.List(fields.Nested(ThemeOut), required=True)
    regions = fields.List(fields.Nested(Named), required=True)
    countries = fields.List(fields.Nested(CountryOut), required=True)
    corridors = fields.List(fields.Nested(CorridorCounted), required=True)
    frameworks = fields.List(fields.Nested(FrameworkOut), required=True)
    actor_types = fields.List(fields.Nested(Named), required=True)
    sectors = fields.List(fields.Nested(Named), required=True)


# --- practices -------------------------------------------------------------------------------
class PracticeLinks(Links):
    html = fields.Nested(Bilingual, required=True)
    permalink = fields.Url(required=True)
    citation = fields.Dict(keys=fields.String(), values=fields.Url(), required=True)


class PracticeSummary(Schema):
    id = fields.Integer(required=True)
    title = fields.Nested(Bilingual, required=True)
    summary = fields.Nested(Bilingual, required=True)
    start_year = fields.Integer(allow_none=True, required=True)
    end_year = fields.Integer(allow_none=True, required=True)
    implementation_status = fields.String(required=True)
    pillars = fields.List(fields.Integer(), required=True)
    themes = fields.List(fields.String(), required=True)
    countries = fields.List(fields.String(), required=True)
    corridors = fields.List(fields.String(), required=True)
    links = fields.Nested(PracticeLinks, required=True)


class PracticeText(Schema):
    title = fields.String(required=True)
    summary = fields.String(required=True)
    body = fields.String(required=True, metadata={"description": N_("Markdown.")})
    results = fields.String(required=True)
    limits = fields.String(required=True)
    gender = fields.String(required=True)
    text_origin = fields.String(required=True)


class Party(Schema):
    name = fields.Nested(Bilingual, required=True)
    acronym = fields.Nested(Bilingual, required=True)
    role = fields.String(required=True)
    actor_type = fields.String(required=True)
    country = fields.String(allow_none=True, required=True)


class Document(Schema):
    title = fields.String(required=True)
    publisher = fields.String(allow_none=True, required=True)
    year = fields.Integer(allow_none=True, required=True)
    url = fields.String(allow_none=True, required=True)


class SourceOut(Document):
    language = fields.String(allow_none=True, required=True)
    consulted = fields.Date(allow_none=True, required=True)


class EvaluationOut(Document):
    type = fields.String(allow_none=True, required=True)


class Subdivision(Schema):
    code = fields.String(required=True)
    name = fields.Nested(Bilingual, required=True)


class PracticeDetail(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    scope = fields.String(required=True)
    texts = fields.Dict(keys=fields.String(), values=fields.Nested(PracticeText), required=True)
    start_year = fields.Integer(allow_none=True, required=True)
    start_year_approximate = fields.Boolean(required=True)
    end_year = fields.Integer(allow_none=True, required=True)
    end_year_approximate = fields.Boolean(required=True)
    implementation_status = fields.String(required=True)
    addresses_women = fields.Boolean(required=True)
    last_reviewed = fields.Date(allow_none=True, required=True)
    published_at = fields.DateTime(allow_none=True, required=True)
    curated = fields.Boolean(required=True)
    curator_note = fields.Nested(Bilingual, required=True)
    pillars = fields.List(fields.Nested(PillarOut), required=True)
    themes = fields.List(fields.Nested(Named), required=True)
    corridors = fields.List(fields.Nested(CorridorOut), required=True)
    countries = fields.List(fields.Nested(CountryOut), required=True)
    subdivisions = fields.List(fields.Nested(Subdivision), required=True)
    frameworks = fields.List(fields.Nested(FrameworkOut), required=True)
    sectors = fields.List(fields.Nested(Named), required=True)
    organisations = fields.List(fields.Nested(Party), required=True)
    evaluations = fields.List(fields.Nested(EvaluationOut), required=True)
    sources = fields.List(fields.Nested(SourceOut), required=True)
    links = fields.Nested(PracticeLinks, required=True)


class PracticePage(Paged):
    items = fields.List(fields.Nested(PracticeSummary), required=True)
    notices = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": N_("Arguments that were ignored, and why (in the language asked).")
        },
    )


# --- collections and events ------------------------------------------------------------------
class CollectionItemOut(Schema):
    practice = fields.Nested(PracticeSummary, required=True)
    note = fields.Nested(Bilingual, required=True)


class CollectionOut(Schema):
    slug = fields.String(required=True)
    title = fields.Nested(Bilingual, required=True)
    description = fields.Nested(Bilingual, required=True)
    featured = fields.Boolean(required=True)
    practices = fields.Integer(required=True)
    links = fields.Nested(Links, required=True)


class CollectionDetail(CollectionOut):
    items = fields.List(fields.Nested(CollectionItemOut), required=True)


class Speaker(Schema):
    name = fields.String(required=True)
    organisation = fields.String()


class AgendaItemOut(Schema):
    title = fields.Nested(Bilingual, required=True)
    description = fields.Nested(Bilingual, required=True)
    starts_at = fields.Time(allow_none=True, required=True)
    speakers = fields.List(fields.Nested(Speaker), required=True)
    practices = fields.List(fields.Integer(), required=True)


class EventOut(Schema):
    slug = fields.String(required=True)
    title = fields.Nested(Bilingual, required=True)
    description = fields.Nested(Bilingual, required=True)
    starts_on = fields.Date(required=True)
    start_time = fields.Time(allow_none=True, required=True)
    end_time = fields.Time(allow_none=True, required=True)
    time_zone = fields.String(required=True)
    format = fields.String(required=True)
    venue = fields.Nested(Bilingual, required=True)
    languages = fields.List(fields.String(), required=True)
    note = fields.Nested(Bilingual, required=True)
    collection = fields.String(allow_none=True, required=True)
    organisers = fields.List(fields.Nested(Party), required=True)
    links = fields.Nested(Links, required=True)


class EventDetail(EventOut):
    agenda = fields.List(fields.Nested(AgendaItemOut), required=True)
    practices = fields.List(fields.Nested(PracticeSummary), required=True)


class CollectionPage(Paged):
    items = fields.List(fields.Nested(CollectionOut), required=True)


class EventPage(Paged):
    items = fields.List(fields.Nested(EventOut), required=True)
