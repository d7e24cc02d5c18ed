"""Writing the change log in the changing transaction, and following it once it has committed.

Any flush that touches a practice, its texts or links, or the name of something a practice's
document contains (organisation, theme, pillar, actor type, region, country) adds one log row
per affected practice, in the same transaction. A flush that changes anything else public pages
may show (collections, events, taxonomy, accounts) adds a ``SITE_WIDE`` row: it rewrites no
entry, but it moves each node's position, which cached pages are checked against
(``kb.web.pagecache``). Private bookkeeping (notifications, failed logins, the log itself)
adds nothing. After the commit this process's node follows
the log at once; other nodes follow it within their polling interval (``kb.search.follow``),
and ``kb index sync`` applies whatever a node has not yet seen.

Rows must become visible in the order of their ids, or a node could pass an id whose
transaction commits later. PostgreSQL hands out ids before commit, so a writing transaction
first takes a transaction-scoped advisory lock, held until it commits or rolls back; SQLite
has a single writer anyway.
"""

from __future__ import annotations

import logging
from itertools import chain

from flask import current_app, has_app_context
from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

from kb.models import (
    ActorType,
    Country,
    LoginFailure,
    Notification,
    Organisation,
    Pillar,
    Practice,
    PracticeOrganisation,
    Region,
    SearchChange,
    SearchNode,
    Theme,
)
from kb.models.practice import practice_pillar, practice_theme
from kb.models.queries import involvement
from kb.models.search import SITE_WIDE

log = logging.getLogger(__name__)
PENDING = "kb_search_changes_pending"
LOGGED = "kb_search_changes_logged"  # ids already in the log for this transaction
# Any constant shared by every node: the key of the advisory lock that orders the log.
LOG_LOCK_KEY = 7_201_113
# Rows that change nothing a page shows.
QUIET = (SearchChange, SearchNode, Notification, LoginFailure)


def _related_ids(connection, obj) -> set[int]:
    """Practices whose document or page shows something of ``obj``."""
    if isinstance(obj, Practice):
        return {obj.id}
    if isinstance(practice_id := getattr(obj, "practice_id", None), int):
        return {practice_id}  # texts, sources, links, evaluations, versions, collection items
    if isinstance(obj, Organisation):
        query = select(PracticeOrganisation.practice_id).where(
            PracticeOrganisation.organisation_id == obj.id
        )
    elif isinstance(obj, Theme):
        query = select(practice_theme.c.practice_id).where(practice_theme.c.theme_id == obj.id)
    elif isinstance(obj, Pillar):
        query = select(practice_pillar.c.practice_id).where(
            practice_pillar.c.pillar_number == obj.number
        )
    elif isinstance(obj, ActorType):
        query = (
            select(PracticeOrganisation.practice_id)
            .join(Organisation, Organisation.id == PracticeOrganisation.organisation_id)
            .where(Organisation.actor_type_id == obj.id)
        )
    elif isinstance(obj, Country | Region):
        inv = involvement()
        query = select(inv.c.practice_id).join(Country, Country.code == inv.c.code)
        query = query.where(
            Country.code == obj.code if isinstance(obj, Country) else Country.region_id == obj.id
        )
    else:
        return set()
    return set(connection.execute(query).scalars())


def _after_flush(session: Session, flush_context) -> None:
    connection = session.connection()
    changed = chain(
        session.new,
        (obj for obj in session.dirty if session.is_modified(obj)),
        session.deleted,
    )
    ids: set[int] = set()
    for obj in changed:
        if isinstance(obj, QUIET):
            continue
        ids |= _related_ids(connection, obj)
        if not isinstance(obj, Practice) and not hasattr(obj, "practice_id"):
            ids.add(SITE_WIDE)  # a name, a collection, an event, an account: pages show it
    ids.discard(None)
    logged = session.info.setdefault(LOGGED, set())
    ids -= logged  # one row per practice and transaction: the follower reads the last state
    if ids:
        logged |= ids
        if connection.dialect.name == "postgresql":  # re-entrant: once per flush is harmless
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_LOCK_KEY})
        connection.execute(insert(SearchChange), [{"practice_id": pid} for pid in sorted(ids)])
        session.info[PENDING] = True


def _after_commit(session: Session) -> None:
    if not session.info.pop(PENDING, False) or not has_app_context():
        return
    index = current_app.extensions.get("kb_search")
    if index is None:
        return
    try:
        index.sync_now()
    except Exception:  # noqa: BLE001 - the log keeps the rows; the next sync applies them
        log.warning("search index not updated after commit; the change log keeps it", exc_info=True)


def _after_rollback(session: Session, previous_transaction) -> None:
    # A savepoint rolled back leaves the outer transaction (and its log rows) alive; the rows
    # it wrote are gone, so any id may need writing again.
    session.info.pop(LOGGED, None)
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)


def _after_transaction_end(session: Session, transaction) -> None:
    # Committed, rolled back or closed: the next transaction logs every id again.
    if transaction.parent is None:
        session.info.pop(LOGGED, None)


def install(session_class) -> None:
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "after_commit", _after_commit)
        event.listen(session_class, "after_soft_rollback", _after_rollback)
        event.listen(session_class, "after_transaction_end", _after_transaction_end)
