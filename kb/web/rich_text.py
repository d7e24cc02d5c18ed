"""Markdown in practice texts, rendered with markdown-it-py and cleaned with nh3: content may
come from anyone with an account, so only a small set of tags and link schemes survives."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}

# CommonMark plus tables and bare links; raw HTML in the source is shown as text, not markup.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": True}).enable(["table", "linkify"])
# Headings in content sit under the page's own h1 and h2.
_TOP_HEADING = re.compile(r"<(/?)h[12]>")


def render_markdown(source: str | None) -> Markup:
    html = _TOP_HEADING.sub(r"<\1h3>", _parser.render(source or ""))
    return Markup(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="nofollow noopener",
        )
    )
