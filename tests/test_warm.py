"""A server process loads what its first pages need before it takes requests (kb.web.warm)."""

from __future__ import annotations

import logging
from pathlib import Path

from kb import serving
from kb.web import warm

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_warm_up_compiles_every_template_and_keeps_no_page(app):
    on_disk = sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*")
        if path.suffix in warm.TEMPLATE_SUFFIXES
    )
    compiled = []
    get_template = app.jinja_env.get_template
    app.jinja_env.get_template = lambda name, *a, **k: (
        compiled.append(name) or get_template(name, *a, **k)
    )

    said = warm.warm_up(app)

    assert set(on_disk) <= set(compiled) and len(on_disk) > 30  # the API's docs page's too
    assert said == f"warmed up: {len(compiled)} templates, 2 languages"
    cache = app.extensions["kb_pagecache"]
    assert cache._entries == {} and not list((cache.shared.directory).glob("*"))


def test_a_failing_warm_up_does_not_stop_the_process(app, monkeypatch, caplog):
    def broken(_app):
        raise RuntimeError("a template that does not compile")

    monkeypatch.setattr(warm, "warm_up", broken)
    app.config["SEARCH_FOLLOW_INTERVAL"] = 0  # no follower thread in a test

    class Worker:
        wsgi = app
        log = logging.getLogger("kb.test.worker")

    with caplog.at_level(logging.ERROR, logger="kb.test.worker"):
        serving.post_worker_init(Worker())
    assert "warm-up failed" in caplog.text


def test_a_connection_is_closed_after_keepalive_requests_requests():
    """So that connections kept alive are spread over the workers again now and then."""

    class Request:
        must_close = False

        def __init__(self, number):
            self.req_number = number

    carried = [Request(n) for n in (1, serving.KEEPALIVE_REQUESTS - 1, serving.KEEPALIVE_REQUESTS)]
    for req in carried:
        serving.pre_request(None, req)
    assert [req.must_close for req in carried] == [False, False, True]
