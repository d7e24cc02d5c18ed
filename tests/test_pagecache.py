"""Pages kept for visitors without a session: served again while nothing they show has changed,
made anew at once when something has, and never kept for (or served to) anyone signed in."""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import date

import pytest

from kb.extensions import db
from kb.models import Collection, Notification, Practice, SearchChange, UserRole
from kb.models.search import SITE_WIDE
from kb.search import follow, get_index
from kb.web import pagecache
from kb.web.pagecache import HEADER
from tests.conftest import make_app
from tests.factories import make_practice
from tests.web import log_in, make_user


@pytest.fixture
def client(app):
    """A visitor whose browser sends no cookies back (the language cookie is a key of its own,
    see test_the_language_cookie_is_part_of_the_key), on a site whose index has a journal the
    page cache has read once (at first sight of a journal, it must assume anything changed)."""
    visitor = app.test_client(use_cookies=False)
    make_practice(id=99, title="Unrelated archive", themes=("research",), countries=("NP",))
    db.session.commit()
    retitle(99, "Unrelated archive, renamed")
    visitor.get("/en/")
    return visitor


def kept(response) -> bool:
    return response.headers.get(HEADER) == "hit"


def publish(pid: int, title: str, **kwargs) -> None:
    make_practice(id=pid, title=title, **kwargs)
    db.session.commit()


def retitle(pid: int, title: str) -> None:
    db.session.get(Practice, pid).translations["en"].title = title
    db.session.commit()


def test_a_page_is_served_again_and_made_anew_as_soon_as_its_practice_changes(app, client):
    publish(1, "Walrus hotline")
    first = client.get("/en/practices/1")
    again = client.get("/en/practices/1")
    assert not kept(first) and kept(again)
    assert again.get_data() == first.get_data()

    retitle(1, "Narwhal hotline")
    page = client.get("/en/practices/1")
    assert not kept(page)
    assert "Narwhal hotline" in page.get_data(as_text=True)
    assert kept(client.get("/en/practices/1"))


def test_a_change_to_another_practice_leaves_a_practice_page_kept_but_remakes_lists(app, client):
    publish(1, "Walrus hotline", themes=("legal-frameworks",), countries=("MX",))
    publish(2, "Narwhal registry", themes=("recruitment-fees",), countries=("PH",))
    client.get("/en/practices/1")
    client.get("/en/practices/")
    assert kept(client.get("/en/practices/"))

    retitle(2, "Narwhal licensing registry")
    assert kept(client.get("/en/practices/1"))  # shows nothing of practice 2
    listing = client.get("/en/practices/")
    assert not kept(listing)
    assert "Narwhal licensing registry" in listing.get_data(as_text=True)
    found = client.get("/en/search?q=licensing")
    assert "Narwhal licensing registry" in found.get_data(as_text=True)


SEARCHES = ("/en/search?q=walrus", "/en/search/feed.atom?q=walrus", "/api/v1/practices?q=walrus")


def test_a_search_page_stays_kept_until_a_practice_it_counts_or_now_matches_changes(app, client):
    publish(1, "Walrus hotline")
    publish(2, "Narwhal registry")
    for url in SEARCHES:
        client.get(url)
        assert kept(client.get(url)), url

    publish(3, "Narwhal licensing")  # the search does not count it, before or now
    for url in SEARCHES:
        assert kept(client.get(url)), url

    publish(4, "Walrus licensing")  # the search counts it now
    for url in SEARCHES:
        page = client.get(url)
        assert not kept(page) and "Walrus licensing" in page.get_data(as_text=True), url
        assert kept(client.get(url)), url

    english = db.session.get(Practice, 1).translations["en"]
    english.title, english.summary = "Seal hotline", "A hotline."
    db.session.commit()  # the search counted it, and no longer does
    for url in SEARCHES:
        page = client.get(url)
        assert not kept(page), url
        assert "Seal hotline" not in page.get_data(as_text=True)
        assert "Walrus licensing" in page.get_data(as_text=True)


def test_a_search_holding_no_practice_with_every_word_is_made_anew_for_one_with_some(app, client):
    publish(1, "Walrus hotline")
    page = client.get("/en/search?q=walrus+zebra")
    assert "Walrus hotline" in page.get_data(as_text=True)  # holds one of the two words
    assert kept(client.get("/en/search?q=walrus+zebra"))

    publish(2, "Zebra crossing")  # holds the other one: listed too
    page = client.get("/en/search?q=walrus+zebra")
    assert not kept(page) and "Zebra crossing" in page.get_data(as_text=True)


def test_a_search_without_hits_is_made_anew_after_any_change(app, client):
    """Its suggestion reads the words of the whole index."""
    client.get("/en/search?q=okapi")
    assert kept(client.get("/en/search?q=okapi"))
    publish(1, "Narwhal registry")
    assert not kept(client.get("/en/search?q=okapi"))


def test_a_site_wide_change_remakes_search_pages(app, client):
    publish(1, "Walrus hotline")
    client.get("/en/search?q=walrus")
    db.session.add(Collection(slug="walruses", title_en="Walrus picks", title_es="Morsas"))
    db.session.commit()
    assert not kept(client.get("/en/search?q=walrus"))


def test_a_related_practice_that_changes_remakes_the_page_that_lists_it(app, client):
    publish(1, "Walrus hotline")
    publish(2, "Narwhal registry")  # same theme and country: related to practice 1
    assert "Narwhal registry" in client.get("/en/practices/1").get_data(as_text=True)
    assert kept(client.get("/en/practices/1"))

    retitle(2, "Narwhal licensing registry")
    page = client.get("/en/practices/1")
    assert not kept(page)
    assert "Narwhal licensing registry" in page.get_data(as_text=True)


def test_a_site_wide_change_remakes_every_page(app, client):
    publish(1, "Walrus hotline")
    client.get("/en/practices/1")
    client.get("/en/collections/")
    db.session.add(Collection(slug="walruses", title_en="Walrus picks", title_es="Morsas"))
    db.session.commit()
    assert not kept(client.get("/en/practices/1"))
    collections = client.get("/en/collections/")
    assert not kept(collections)
    assert "Walrus picks" in collections.get_data(as_text=True)


def test_signed_in_visitors_never_get_a_kept_page_and_theirs_are_not_kept(app, client):
    publish(1, "Walrus hotline")
    make_user(role=UserRole.editor)
    db.session.commit()
    client.get("/en/practices/1")
    assert kept(client.get("/en/practices/1"))

    signed_in = app.test_client()
    log_in(signed_in)
    for _ in range(2):
        page = signed_in.get("/en/practices/1")
        assert not kept(page)
        assert "Log out" in page.get_data(as_text=True)
    anonymous = client.get("/en/practices/1")
    assert kept(anonymous)
    assert "Log out" not in anonymous.get_data(as_text=True)


def test_a_page_that_starts_a_session_is_never_kept(app, client):
    """The login form's token lives in a session cookie of this visitor's own."""
    first, second = client.get("/en/login"), client.get("/en/login")
    assert not kept(first) and not kept(second)
    assert "session=" in ",".join(second.headers.getlist("Set-Cookie"))


def test_the_language_cookie_is_part_of_the_key(app, client):
    publish(1, "Walrus hotline")
    fresh = app.test_client()
    assert "kb_lang=en" in fresh.get("/en/practices/1").headers.get("Set-Cookie", "")
    repeat = fresh.get("/en/practices/1")  # now with the cookie: another key
    assert not kept(repeat) and "Set-Cookie" not in repeat.headers
    again = fresh.get("/en/practices/1")
    assert kept(again) and "Set-Cookie" not in again.headers
    newcomer = app.test_client().get("/en/practices/1")
    assert kept(newcomer) and "kb_lang=en" in newcomer.headers["Set-Cookie"]


def test_a_kept_api_record_answers_conditional_requests(app, client):
    publish(1, "Walrus hotline")
    tag = client.get("/api/v1/practices/1").headers["ETag"]
    unchanged = client.get("/api/v1/practices/1", headers={"If-None-Match": tag})
    assert kept(unchanged) and unchanged.status_code == 304
    head = client.head("/api/v1/practices/1")
    assert kept(head) and head.status_code == 200 and head.get_data() == b""


def test_a_change_applied_by_another_process_of_the_node_remakes_its_pages(app, client, tmp_path):
    """Two apps on one database and one index folder, as two gunicorn workers are."""
    publish(1, "Walrus hotline")
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    other_client = other.test_client(use_cookies=False)
    assert not kept(other_client.get("/en/practices/1"))
    assert kept(other_client.get("/en/practices/1"))

    retitle(1, "Narwhal hotline")  # applied by this app: the journal and the position move
    page = other_client.get("/en/practices/1")
    assert not kept(page)
    assert "Narwhal hotline" in page.get_data(as_text=True)


def test_when_the_journal_cannot_tell_what_changed_every_page_is_made_anew(app, client):
    publish(1, "Walrus hotline")
    publish(2, "Narwhal registry", themes=("recruitment-fees",), countries=("PH",))
    index = get_index()
    retitle(2, "Narwhal licensing registry")  # the journal has its row
    client.get("/en/practices/1")
    assert kept(client.get("/en/practices/1"))
    # The journal lost, then a change to another practice: nothing tells which one.
    os.unlink(index.directory / follow.JOURNAL_FILE)
    retitle(2, "Narwhal licensing board")
    assert not kept(client.get("/en/practices/1"))
    assert kept(client.get("/en/practices/1"))
    # A rebuild moves the position without a journal row.
    follow.write_position(index.directory, index.position + 1)
    assert not kept(client.get("/en/practices/1"))


def test_while_changes_come_pages_of_the_whole_catalogue_lag_by_at_most_page_cache_lag(app, client):
    """So that a node busy with publications makes each list once per lag, not once per
    change; search results and a practice's own pages never lag."""
    publish(1, "Walrus hotline", themes=("legal-frameworks",), countries=("MX",))
    publish(2, "Narwhal registry", themes=("recruitment-fees",), countries=("PH",))
    lists = ["/en/practices/", "/en/", "/api/v1/practices", "/en/feed.atom"]
    for url in lists + ["/en/search?q=registry", "/en/practices/2"]:
        client.get(url)
    mine = app.extensions["kb_pagecache"]
    mine.lag = 60
    other = other_process(app)
    other.get("/en/collections/")  # it has read the journal

    retitle(2, "Narwhal licensing registry")
    for url in lists:
        page = client.get(url)
        assert kept(page) and "Narwhal licensing" not in page.get_data(as_text=True), url
        assert kept(other.get(url)), url  # the shared copy lags alike
    for url in ("/en/search?q=registry", "/en/practices/2", "/en/search?q=licensing"):
        page = client.get(url)
        assert not kept(page) and "Narwhal licensing" in page.get_data(as_text=True), url

    mine.lag = other.application.lag = 0  # the lag has passed
    for url in lists:
        page = client.get(url)
        assert not kept(page) and "Narwhal licensing" in page.get_data(as_text=True), url
        assert kept(other.get(url)), url  # made once for the node


def test_a_search_without_hits_never_lags(app, client):
    """Its page shows the whole catalogue's suggestions, but it is a search's: a practice
    published since must be found at once."""
    app.extensions["kb_pagecache"].lag = 60
    urls = ["/en/search?q=beluga", "/en/search/feed.atom?q=beluga", "/api/v1/practices?q=beluga"]
    for url in urls:
        client.get(url)
        assert kept(client.get(url)), url
    publish(1, "Beluga hotline")
    for url in urls:
        page = client.get(url)
        assert not kept(page) and "Beluga hotline" in page.get_data(as_text=True), url


def test_shared_pages_made_by_another_build_of_the_code_are_not_served(app, client, tmp_path):
    from kb.web.pagestore import build_id

    publish(1, "Walrus hotline")
    client.get("/en/practices/1")
    assert kept(other_process(app).get("/en/practices/1"))
    assert not kept(other_process(app, build="before the deploy").get("/en/practices/1"))

    code = tmp_path / "code"
    (code / "__pycache__").mkdir(parents=True)
    (code / "views.py").write_text("A = 1\n")
    before = build_id(code)
    (code / "__pycache__" / "views.cpython-311.pyc").write_bytes(b"compiled")
    assert build_id(code) == before  # bytecode written by a process is the same build
    os.utime(code / "views.py", ns=(1, time.time_ns() + 10**9))
    assert build_id(code) != before


def test_when_the_journal_cannot_tell_what_changed_lists_do_not_lag(app, client):
    app.extensions["kb_pagecache"].lag = 60
    publish(1, "Walrus hotline")
    client.get("/en/practices/")
    assert kept(client.get("/en/practices/"))
    index = get_index()
    follow.write_position(index.directory, index.position + 1)  # a rebuild: no journal row
    assert not kept(client.get("/en/practices/"))  # neither this process's copy nor the shared


def test_pages_expire_after_page_cache_seconds(app, client):
    publish(1, "Walrus hotline")
    app.extensions["kb_pagecache"].seconds = 0
    for url in ("/en/practices/1/history", "/api/v1/practices/1", "/en/practices/"):
        client.get(url)
        assert not kept(client.get(url)), url


def test_an_expired_practice_page_is_kept_on_while_the_same_practices_are_related(
    app, client, monkeypatch
):
    """Checked again by its related practices (one query) rather than made anew, and its
    shared copy too; made anew when another practice became related, or on another day
    (its references' access date)."""
    from kb.services import practices
    from kb.web import public

    publish(1, "Walrus hotline")
    publish(2, "Narwhal registry")  # same theme and country: related to practice 1
    first = client.get("/en/practices/1")
    cache = app.extensions["kb_pagecache"]
    cache.seconds = 0  # every kept page has expired at its next request
    made = []
    load = practices.load_published
    monkeypatch.setattr(practices, "load_published", lambda ids: made.append(ids) or load(ids))

    again = client.get("/en/practices/1")
    assert kept(again) and again.get_data() == first.get_data() and made == []
    assert kept(other_process(app).get("/en/practices/1")) and made == []

    publish(3, "Beluga hotline")  # another row: practice 1's page does not show practice 3...
    page = client.get("/en/practices/1")  # ...but, checked again, it is related now
    assert not kept(page) and "Beluga hotline" in page.get_data(as_text=True)
    assert kept(client.get("/en/practices/1"))

    class Tomorrow(date):
        @classmethod
        def today(cls):
            return date.fromordinal(date.today().toordinal() + 1)

    monkeypatch.setattr(public, "date", Tomorrow)
    assert not kept(client.get("/en/practices/1"))


def test_an_edit_to_a_collection_moves_the_log_and_bookkeeping_does_not(app):
    publish(1, "Walrus hotline")
    position = get_index().position
    db.session.add(Collection(slug="walruses", title_en="Walrus picks", title_es="Morsas"))
    db.session.commit()
    assert get_index().position > position
    rows = db.session.query(SearchChange.practice_id).all()
    assert rows == [] or {pid for (pid,) in rows} <= {SITE_WIDE}

    position = get_index().position
    user = make_user()
    db.session.commit()
    db.session.add(Notification(user_id=user.id, practice_id=1, action="published"))
    db.session.commit()
    assert get_index().position == position + 1  # the account is shown; the notification not


def test_the_journal_reader_takes_whole_lines_and_notices_a_new_file(tmp_path):
    reader = follow.JournalReader(tmp_path)
    assert reader.read() is None  # no journal yet: nothing can be told
    follow.append_journal(tmp_path, [(1, 5)])
    assert reader.read() is None  # a file it had not seen: it starts over from its end
    follow.append_journal(tmp_path, [(2, 6), (3, SITE_WIDE)])
    with open(tmp_path / follow.JOURNAL_FILE, "a") as handle:
        handle.write("4 7")  # a line still being written
    assert reader.read() == [(2, 6), (3, SITE_WIDE)]
    with open(tmp_path / follow.JOURNAL_FILE, "a") as handle:
        handle.write("\n")
    assert reader.read() == [(4, 7)]
    (tmp_path / follow.JOURNAL_FILE).unlink()
    follow.append_journal(tmp_path, [(5, 8), (6, 9)])  # begun anew, maybe on the old inode
    assert reader.read() is None
    with open(tmp_path / follow.JOURNAL_FILE, "a") as handle:
        handle.write("7 1")  # cut by a crash: the next append joins it
    follow.append_journal(tmp_path, [(8, 2)])
    assert reader.read() is None


def test_a_head_request_first_keeps_nothing_a_get_would_be_served(app, client):
    publish(1, "Walrus hotline")
    assert client.head("/en/practices/1").get_data() == b""
    page = client.get("/en/practices/1")
    assert "Walrus hotline" in page.get_data(as_text=True)
    assert kept(client.head("/en/practices/1"))  # a GET's page answers HEAD too


def test_a_conditional_request_first_keeps_nothing_others_would_be_served(app, client):
    publish(1, "Walrus hotline")
    tag = app.test_client(use_cookies=False).get("/api/v1/practices/1").headers["ETag"]
    app.extensions["kb_pagecache"].clear()
    assert client.get("/api/v1/practices/1", headers={"If-None-Match": tag}).status_code == 304
    record = client.get("/api/v1/practices/1")
    assert record.status_code == 200 and record.get_json()["id"] == 1


def test_a_thread_that_read_an_older_position_does_not_make_kept_pages_stale(app, client):
    """A request that read the position just before another request caught up: the rows the
    cache has read stay known, so a page made from the older position is not kept if it shows
    one of them."""
    publish(1, "Walrus hotline")
    cache, index = app.extensions["kb_pagecache"], get_index()
    client.get("/en/")
    before = index.position
    retitle(1, "Narwhal hotline")
    assert not kept(client.get("/en/practices/1"))  # this request caught up to the new position
    assert "Narwhal hotline" in client.get("/en/practices/1").get_data(as_text=True)
    assert cache._lookup(("late",), before, index.directory) is None  # the late thread
    stale = client.get("/en/practices/1")
    assert kept(stale) and "Narwhal hotline" in stale.get_data(as_text=True)
    retitle(99, "Unrelated archive, renamed again")
    assert "Narwhal hotline" in client.get("/en/practices/1").get_data(as_text=True)


def test_visitors_asking_for_the_same_page_at_once_wait_for_one_making_it(app, client, monkeypatch):
    from kb.services import practices

    publish(1, "Walrus hotline")
    made = []
    related_ids = practices.related_ids

    def slow_related_ids(practice_id, *args, **kwargs):
        made.append(practice_id)
        time.sleep(0.3)
        return related_ids(practice_id, *args, **kwargs)

    monkeypatch.setattr(practices, "related_ids", slow_related_ids)
    monkeypatch.setattr(pagecache, "WAIT_SECONDS", 60)  # the first page of an app is slow
    pages = []

    def visit():
        with app.app_context():
            pages.append(app.test_client(use_cookies=False).get("/en/practices/1"))

    visitors = [threading.Thread(target=visit) for _ in range(3)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join(timeout=30)
    assert made == [1]  # made once, for all three
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert sum(kept(page) for page in pages) == 2
    assert len({page.get_data() for page in pages}) == 1


def other_process(app, build=None):
    """Another server process of the node: pages kept in its own memory, and the node's shared
    pages folder (kb.web.pagestore), read by the same build of the code unless told."""
    from werkzeug.test import Client

    from kb.web.pagestore import PageStore

    mine = app.extensions["kb_pagecache"]
    other = pagecache.PageCache(app, mine.wsgi_app, mine.max_bytes, mine.seconds, mine.lag)
    build = mine.shared.build if build is None else build
    other.shared = PageStore(mine.shared.directory, mine.max_bytes, mine.seconds, build)
    return Client(other, use_cookies=False)


def test_a_page_one_process_made_is_served_by_the_others_while_current(app, client, monkeypatch):
    from kb.services import practices

    publish(1, "Walrus hotline")
    other = other_process(app)
    first = client.get("/en/practices/1")
    client.get("/en/practices/")
    made = []
    related_ids = practices.related_ids
    monkeypatch.setattr(
        practices,
        "related_ids",
        lambda pid, *args, **kwargs: made.append(pid) or related_ids(pid, *args, **kwargs),
    )

    served = other.get("/en/practices/1")
    assert kept(served) and served.get_data() == first.get_data() and made == []
    assert kept(other.get("/en/practices/"))

    retitle(1, "Narwhal hotline")  # stale everywhere: made anew once, by the other process
    page = other.get("/en/practices/1")
    assert not kept(page) and "Narwhal hotline" in page.get_data(as_text=True)
    again = client.get("/en/practices/1")
    assert kept(again) and again.get_data() == page.get_data() and made == [1]
    assert not kept(other.get("/en/practices/"))


def test_search_results_are_not_shared_and_clearing_clears_the_shared_pages(app, client):
    publish(1, "Walrus hotline")
    other = other_process(app)
    client.get("/en/search?q=walrus")
    client.get("/en/practices/1")
    assert not kept(other.get("/en/search?q=walrus"))  # kept with its search, in memory only
    app.extensions["kb_pagecache"].clear()
    assert not kept(other.get("/en/practices/1"))


def test_shared_pages_made_under_another_journal_are_not_served(app, client):
    publish(1, "Walrus hotline")
    other = other_process(app)
    other.get("/en/")  # it has read the journal
    client.get("/en/practices/1")
    os.unlink(get_index().directory / follow.JOURNAL_FILE)  # begun anew at the next change
    retitle(99, "Unrelated archive, renamed again")
    assert not kept(other.get("/en/practices/1"))


def test_a_shared_page_in_a_file_another_version_wrote_is_made_anew(app, client):
    publish(1, "Walrus hotline")
    other = other_process(app)
    client.get("/en/practices/1")
    store = app.extensions["kb_pagecache"].shared
    for path in store.directory.iterdir():
        header, _, body = path.read_bytes().partition(b"\n")
        fields = json.loads(header)
        del fields["tags"]  # a field this version reads, missing
        path.write_bytes(json.dumps(fields).encode() + b"\n" + body)
    page = other.get("/en/practices/1")
    assert page.status_code == 200 and not kept(page)
    assert "Walrus hotline" in page.get_data(as_text=True)
