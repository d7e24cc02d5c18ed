"""Deleting the files of merged-away segments a while after they fell out of use.

Whoosh deletes them in the commit that stops using them (``whoosh.index.clean_files``). A
searcher opened just before, in another process of the node, still reads them: it opens a
segment's columns (ids, sort keys, field lengths) on first use, and found them gone (a 500, or
a search scored without its lengths). Here a commit notes since when each file is unused
(``unused-files`` in the index folder), and deletes it once it has been unused for
``KEEP_SECONDS``: far longer than a request holds a searcher.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import TOC

from kb.search import follow

UNUSED_FILE = "unused-files"
KEEP_SECONDS = 60.0


def clean_files_later(storage, indexname, gen, segments) -> None:
    """Whoosh's ``clean_files`` with a delay; called by a writer's commit, under its lock."""
    in_use = {segment.segment_id() for segment in segments}
    toc_pattern, segment_pattern = TOC._pattern(indexname), TOC._segment_pattern(indexname)
    unused = []
    for name in storage:
        if name.startswith("."):
            continue
        if toc := toc_pattern.match(name):
            if int(toc.group(1)) != gen:
                unused.append(name)
        elif (segment := segment_pattern.match(name)) and segment.group(1) not in in_use:
            unused.append(name)
    record = Path(storage.folder) / UNUSED_FILE
    try:
        since = json.loads(record.read_text())
    except (OSError, ValueError):
        since = {}
    now = time.time()
    since = {name: since.get(name, now) for name in unused}
    for name, first in list(since.items()):
        if now - first >= KEEP_SECONDS:
            with contextlib.suppress(OSError):  # gone already
                storage.delete_file(name)
            del since[name]
    follow.replace_file(record, json.dumps(since, sort_keys=True))


def install() -> None:
    """Writers look ``clean_files`` up in ``whoosh.index`` at each commit."""
    whoosh_index.clean_files = clean_files_later
