"""Gunicorn settings for `make run`: worker processes, request limits and timeouts.

Used as ``gunicorn -c python:kb.serving "kb:create_app()"``. ``HOST``, ``PORT``,
``KB_WORKERS`` and ``KB_THREADS`` override the defaults below.
"""

from __future__ import annotations

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
# Processes, not threads, carry the load: Python runs one thread at a time per process, and a
# process per core uses every core. A few threads per worker overlap the waits (database,
# client sockets); bench/load.py measures other choices.
workers = int(os.environ.get("KB_WORKERS", max(2, os.cpu_count() or 1)))
threads = int(os.environ.get("KB_THREADS", 4))
worker_class = "gthread"
# A request running longer than this is killed with its worker (which is replaced); idle
# keep-alive connections are closed after `keepalive` seconds and never hold a thread.
timeout = 30
graceful_timeout = 20
keepalive = 5
worker_connections = 1000
# What a request may carry: a URL line of 4 KB, 50 header lines of 8 KB each.
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
# Each worker opens its own database connections and index searchers after the fork.
preload_app = False
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("KB_FORWARDED_ALLOW_IPS", "127.0.0.1")
# A connection kept alive is closed after this many requests, as nginx's keepalive_requests
# does: its client reconnects, and reconnections spread connections over the workers again.
# Otherwise a worker keeps every connection it accepted, say all of them right after a start,
# while another was still loading (bench/load.py: half the throughput in such runs).
KEEPALIVE_REQUESTS = 100


def pre_request(worker, req):
    """Close the connection after this request if it has carried ``KEEPALIVE_REQUESTS``."""
    if req.req_number >= KEEPALIVE_REQUESTS:
        req.must_close = True


def post_worker_init(worker):
    """Follow the change log in each worker, so that changes made through other nodes become
    searchable here within ``SEARCH_FOLLOW_INTERVAL`` seconds; then load what the first pages
    would otherwise load while visitors wait (kb.web.warm)."""
    from kb.search import start_follower
    from kb.web.warm import warm_up

    start_follower(worker.wsgi)
    try:
        worker.log.info(warm_up(worker.wsgi))
    except Exception:  # noqa: BLE001 - only a head start: pages load what they need anyway
        worker.log.exception("warm-up failed; the first pages will load what they need")
