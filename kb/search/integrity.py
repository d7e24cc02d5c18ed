"""Is the index on disk whole? A manifest of file sizes per generation, checked at every
health probe (a few stat calls), and a full read-back of every segment for `kb index check`.

Whoosh records which segments make a generation, not how long their files are: a truncated
posting file opens without complaint and fails only when a search reaches the missing part.
So each commit made through :class:`~kb.search.index.SearchIndex` writes
``kb-manifest-<generation>.json`` beside the index files, and the checks compare against it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from whoosh.reading import SegmentReader

MANIFEST = "kb-manifest-{}.json"
MANIFEST_GLOB = "kb-manifest-*.json"


def live_files(ix) -> dict[str, int]:
    """The files of the segments of ``ix``'s generation, with their sizes."""
    storage = ix.storage
    with ix.reader() as reader:
        segments = [leaf.segment() for leaf, _offset in reader.leaf_readers()]
        # An index without documents has no segment (its reader answers None).
        names = [name for segment in segments if segment for name in segment.list_files(storage)]
    return {name: storage.file_length(name) for name in names}


def write_manifest(ix) -> None:
    """Record the files of ``ix``'s latest generation; drop the manifests of older ones."""
    directory = Path(ix.storage.folder)
    generation = ix.latest_generation()
    path = directory / MANIFEST.format(generation)
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    temporary.write_text(json.dumps(live_files(ix), sort_keys=True))
    os.replace(temporary, path)
    for old in directory.glob(MANIFEST_GLOB):
        if old != path and _generation(old) < generation:
            old.unlink(missing_ok=True)


def _generation(path: Path) -> int:
    try:
        return int(path.stem.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return -1


def damaged_files(directory: Path, generation: int) -> list[str]:
    """Files of ``generation`` that are missing or whose size changed since its commit.
    An index without a manifest (made by hand, or by an older version) reports nothing."""
    path = directory / MANIFEST.format(generation)
    try:
        expected = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    problems = []
    for name, size in sorted(expected.items()):
        try:
            actual = (directory / name).stat().st_size
        except FileNotFoundError:
            problems.append(f"{name} is missing")
            continue
        if actual != size:
            problems.append(f"{name} is {actual} bytes, {size} when written")
    return problems


def read_back(ix, schema) -> list[str]:
    """Read every segment of ``ix`` in full: stored fields, field lengths, columns, and every
    posting of every term. Returns one problem per segment that cannot be read."""
    problems = []
    for segment in ix._segments():
        try:
            with SegmentReader(ix.storage, ix.schema, segment) as leaf:
                _read_segment(leaf, schema)
        except Exception as exc:  # noqa: BLE001 - any failure is the damage reported
            name = segment.segment_id()
            problems.append(f"segment {name}: {type(exc).__name__}: {exc}"[:300])
    return problems


def _read_segment(leaf, schema) -> None:
    for _fields in leaf.all_stored_fields():
        pass
    for name, field in schema.items():
        if field.scorable:
            for docnum in range(leaf.doc_count_all()):
                leaf.doc_field_length(docnum, name)
        if field.column_type and leaf.has_column(name):
            column = leaf.column_reader(name)
            for docnum in range(leaf.doc_count_all()):
                column[docnum]
    for fieldname, text in leaf.all_terms():
        for _item in leaf.postings(fieldname, text).all_items():
            pass
