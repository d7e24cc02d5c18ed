"""Writing outbox rows in the changing transaction, and applying them once it has committed.

Any flush that touches a practice, its texts or links, or the name of something a practice's
document contains (organisation, theme, pillar, actor type, region, country) adds one outbox
row per affected practice, in the same transaction. After the commit the rows are applied to
the index; if that fails or the process dies, ``kb index sync`` applies what is left.
"""

from __future__ import annotations

import logging
from itertools import chain

from flask import current_app, has_app_context
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from kb.models import (
    ActorType,
    Country,
    Organisation,
    Pillar,
    Practice,
    PracticeOrganisation,
    PracticeTranslation,
    Region,
    SearchOutbox,
    Source,
    Theme,
)
from kb.models.practice import practice_pillar, practice_theme
from kb.models.queries import involvement

log = logging.getLogger(__name__)
PENDING = "kb_search_outbox_pending"


def _related_ids(connection, obj) -> set[int]:
    """Practices whose document shows something of ``obj``."""
    if isinstance(obj, Practice):
        return {obj.id}
    if isinstance(obj, PracticeTranslation | Source | PracticeOrganisation):
        return {obj.practice_id}
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
        if not isinstance(obj, SearchOutbox):
            ids |= _related_ids(connection, obj)
    ids.discard(None)
    if ids:
        connection.execute(insert(SearchOutbox), [{"practice_id": pid} for pid in sorted(ids)])
        session.info[PENDING] = True


def _after_commit(session: Session) -> None:
    if not session.info.pop(PENDING, False) or not has_app_context():
        return
    index = current_app.extensions.get("kb_search")
    if index is None:
        return
    try:
        index.sync_now()
    except Exception:  # noqa: BLE001 - the outbox keeps the rows; `kb index sync` applies them
        log.warning("search index not updated after commit; rows stay in the outbox", exc_info=True)


def _after_rollback(session: Session, previous_transaction) -> None:
    # A savepoint rolled back leaves the outer transaction (and its outbox rows) alive.
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)


def install(session_class) -> None:
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "after_commit", _after_commit)
        event.listen(session_class, "after_soft_rollback", _after_rollback)
