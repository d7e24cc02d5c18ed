"""Curation by editors: curated practices with a curator's note, and collections (ordered
practices with notes, public / unlisted / draft). Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from kb.db import utcnow
from kb.errors import KbError, NotFound
from kb.extensions import db
from kb.models import (
    AuditEvent,
    Collection,
    CollectionItem,
    CurationEvent,
    Practice,
    Status,
    User,
    UserRole,
    Visibility,
)
from kb.services.practices import load_published
from kb.services.submissions import slugify

MAX_NOTE = 1000


class SlugTaken(KbError):
    pass


@dataclass(frozen=True)
class CollectionInput:
    title_en: str
    title_es: str
    description_en: str
    description_es: str
    visibility: str
    is_featured: bool


def is_editor(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(UserRole.editor))


def visible(collection: Collection, viewer) -> bool:
    """Drafts are for editors; public and unlisted collections for anyone with the link."""
    return collection.visibility != Visibility.draft or is_editor(viewer)


def listed(viewer) -> list[tuple[Collection, int]]:
    """The collections page: public ones (editors see every one), with their practice counts."""
    published = CollectionItem.practice_id.in_(
        select(Practice.id).where(Practice.status == Status.published)
    )
    query = (
        select(Collection, func.count(CollectionItem.practice_id))
        .outerjoin(CollectionItem, (CollectionItem.collection_id == Collection.id) & published)
        .group_by(Collection.id)
        .order_by(Collection.is_featured.desc(), Collection.title_en)
    )
    if not is_editor(viewer):
        query = query.where(Collection.visibility == Visibility.public)
    return [(c, n) for c, n in db.session.execute(query)]


def get(slug: str, viewer) -> tuple[Collection, list[tuple[CollectionItem, Practice]]]:
    """A collection the viewer may see, with its published practices in order. Raises NotFound
    (for a draft too, unless the viewer is an editor)."""
    collection = db.session.scalar(
        select(Collection).filter_by(slug=slug).options(selectinload(Collection.items))
    )
    if collection is None or not visible(collection, viewer):
        raise NotFound(slug)
    practices = {p.id: p for p in load_published([i.practice_id for i in collection.items])}
    return collection, [
        (i, practices[i.practice_id]) for i in collection.items if i.practice_id in practices
    ]


def _audit(collection: Collection, editor: User, action: str, detail: str = "") -> None:
    db.session.add(
        CurationEvent(collection_id=collection.id, actor_id=editor.id, action=action, detail=detail)
    )
    collection.updated_at = utcnow()


def create(data: CollectionInput, editor: User) -> Collection:
    """A new collection; its slug (its stable address) comes from the English title."""
    base = slugify(data.title_en or data.title_es, 70)
    slug, n = base, 1
    while db.session.scalar(select(Collection.id).where(Collection.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    collection = Collection(slug=slug)
    _assign(collection, data)
    db.session.add(collection)
    db.session.flush()
    _audit(collection, editor, "create", slug)
    db.session.commit()
    return collection


def update(slug: str, data: CollectionInput, editor: User) -> Collection:
    collection = _editable(slug)
    _assign(collection, data)
    _audit(collection, editor, "edit")
    db.session.commit()
    return collection


def _assign(collection: Collection, data: CollectionInput) -> None:
    collection.title_en, collection.title_es = data.title_en, data.title_es
    collection.description_en, collection.description_es = data.description_en, data.description_es
    collection.visibility = Visibility(data.visibility)
    collection.is_featured = data.is_featured


def _editable(slug: str) -> Collection:
    collection = db.session.scalar(
        select(Collection).filter_by(slug=slug).options(selectinload(Collection.items))
    )
    if collection is None:
        raise NotFound(slug)
    return collection


def add_item(slug: str, practice_id: int, note_en: str, note_es: str, editor: User) -> None:
    """Append a published practice (once); raises NotFound for anything else."""
    collection = _editable(slug)
    practice = db.session.get(Practice, practice_id)
    if practice is None or practice.status != Status.published:
        raise NotFound(practice_id)
    if any(item.practice_id == practice_id for item in collection.items):
        return
    collection.items.append(
        CollectionItem(
            practice_id=practice_id,
            position=len(collection.items),
            note_en=note_en.strip()[:MAX_NOTE],
            note_es=note_es.strip()[:MAX_NOTE],
        )
    )
    _audit(collection, editor, "add", str(practice_id))
    db.session.commit()


def remove_item(slug: str, practice_id: int, editor: User) -> None:
    collection = _editable(slug)
    kept = [item for item in collection.items if item.practice_id != practice_id]
    if len(kept) == len(collection.items):
        raise NotFound(practice_id)
    collection.items = kept
    _renumber(collection)
    _audit(collection, editor, "remove", str(practice_id))
    db.session.commit()


def move_item(slug: str, practice_id: int, steps: int, editor: User) -> None:
    """Move a practice ``steps`` places (negative: towards the start), within the list."""
    collection = _editable(slug)
    items = list(collection.items)
    index = next((i for i, item in enumerate(items) if item.practice_id == practice_id), None)
    if index is None:
        raise NotFound(practice_id)
    target = max(0, min(len(items) - 1, index + steps))
    items.insert(target, items.pop(index))
    for position, item in enumerate(items):
        item.position = position
    _audit(collection, editor, "move", f"{practice_id}:{index + 1}->{target + 1}")
    db.session.commit()


def set_item_note(slug: str, practice_id: int, note_en: str, note_es: str, editor: User) -> None:
    collection = _editable(slug)
    item = next((i for i in collection.items if i.practice_id == practice_id), None)
    if item is None:
        raise NotFound(practice_id)
    item.note_en, item.note_es = note_en.strip()[:MAX_NOTE], note_es.strip()[:MAX_NOTE]
    _audit(collection, editor, "note", str(practice_id))
    db.session.commit()


def _renumber(collection: Collection) -> None:
    for position, item in enumerate(collection.items):
        item.position = position


def curate(practice_id: int, curated: bool, note_en: str, note_es: str, editor: User) -> Practice:
    """Mark a published practice as curated (or not), with the curator's note in each
    language; written to the practice's audit trail."""
    practice = db.session.get(Practice, practice_id)
    if practice is None or practice.status != Status.published:
        raise NotFound(practice_id)
    practice.is_curated = curated
    practice.curator_note_en = note_en.strip()[:MAX_NOTE]
    practice.curator_note_es = note_es.strip()[:MAX_NOTE]
    practice.updated_at = utcnow()
    db.session.add(
        AuditEvent(
            practice_id=practice.id,
            actor_id=editor.id,
            action="curate" if curated else "uncurate",
            from_status=str(practice.status),
            to_status=str(practice.status),
            note=practice.curator_note_en,
        )
    )
    db.session.commit()
    return practice


def curated_practices(limit: int = 4) -> list[Practice]:
    """Curated published practices for the home page, most recently curated first."""
    ids = db.session.scalars(
        select(Practice.id)
        .where(Practice.is_curated.is_(True), Practice.status == Status.published)
        .order_by(Practice.updated_at.desc())
        .limit(limit)
    )
    return load_published(list(ids))
