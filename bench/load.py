"""Load generator: N concurrent keep-alive clients fetching a mix of pages, searches, feeds and
API reads in both languages for T seconds, against a running server or one it serves itself.

    python bench/load.py --serve                          # the issue's run: seeds + 10,000
                                                          # practices, gunicorn, 50 clients, 60 s
    python bench/load.py --serve --publish-every 2        # ... and an editor publishing
    python bench/load.py --serve --both                   # the issue's two runs, one server:
                                                          # run 1, then run 2 with the editor
    python bench/load.py --serve --think 1                # clients reading 1 s between pages
    python bench/load.py --serve --warm-up 60             # measured after 60 s of the same load
    python bench/load.py --url http://127.0.0.1:8080 --clients 8 --duration 30
    python bench/load.py --first '/en/search?q="migrant workers"~10000000'   # a heavy request first
    python bench/load.py --hostile                        # hostile queries, and pages meanwhile

With --serve, the site is made in --work (default /tmp/kb-load; reused by later runs): the
seeds, --practices synthetic practices (bench/corpus.py) and the index, then served by gunicorn
(kb/serving.py settings) on a free loopback port. With --publish-every, an editor publishes a
practice through the site every that many seconds and searches for it every 50 ms.

Prints requests/s, p50/p95/p99 and errors (by status, and connection failures: a server that
died shows as refused connections). In hostile mode each client sends costly queries (phrase
slop, wildcards, many terms, long queries) while a few others fetch ordinary pages; the figures
are given for each kind, so the time of a hostile query and its effect on everyone else show.
Exit status 1 when any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote, urlsplit

SEARCHES = {
    "en": [
        "recruitment fees",
        "migrant workers",
        '"migrant workers"',
        "seasonal agricultural",
        "resource centre",
        "bilateral agreement",
        "employment service",
        "contratacion",
        "title:recruitment",
        "fees -canada",
        "recruit*",
    ],
    "es": [
        "contratación",
        "trabajadores migrantes",
        '"trabajadores migrantes"',
        "comisiones de contratacion",
        "agencia de colocacion",
        "centro de recursos",
        "acuerdo bilateral",
        "migracion laboral",
        "temporero",
        "salud",
    ],
}
TARGET_P95_MS = 300
# How often each kind of request comes, relative to the others (a kind not listed: 1).
MIX = {"list": 20, "search": 25, "practice": 25, "page": 10, "feed": 5, "api": 15}
FILTERS = ["", "&pillar=2", "&theme=legal-frameworks", "&country=MX", "&region=americas"]
HOSTILE = [
    '"migrant workers"~10000000',
    '"recruitment fees workers"~100000',
    "*a* OR *e* OR *i* OR *o* OR *u* OR *r* OR *s* OR *t*",
    "*ion*",
    "a* b* c* d* e* f* g* h* i* j* k* l* m* n* o* p*",
    " ".join(f"word{n}" for n in range(400)),
    " OR ".join(["migrant", "worker", "recruitment", "fee", "agency"] * 40),
    "start_year:[0 TO 99999999]",
    "(" * 200 + "migrant" + ")" * 200,
    '"' + " ".join(["migrant workers"] * 60) + '"~50',
]


class Client(threading.Thread):
    """One keep-alive connection, reopened after a failure, picking requests from ``paths``."""

    def __init__(self, host, port, paths, deadline, results, seed, think=0.0):
        super().__init__(daemon=True)
        self.think = think
        self.host, self.port = host, port
        self.paths = paths
        self.deadline = deadline
        self.results = results
        self.random = random.Random(seed)
        self.connection = None

    def fetch(self, kind: str, path: str) -> None:
        started = time.perf_counter()
        outcome, cache = None, None
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
            self.connection.request("GET", path, headers={"Accept-Encoding": "identity"})
            response = self.connection.getresponse()
            response.read()
            outcome, cache = response.status, response.getheader("X-KB-Cache") or "made"
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
        except (OSError, http.client.HTTPException) as exc:
            outcome = type(exc).__name__
            if self.connection is not None:
                self.connection.close()
            self.connection = None
        self.results.add(kind, path, outcome, time.perf_counter() - started, cache)

    def run(self) -> None:
        by_kind = defaultdict(list)
        for kind, path in self.paths:
            by_kind[kind].append(path)
        kinds = list(by_kind)
        weights = [MIX.get(kind, 1) for kind in kinds]
        while time.monotonic() < self.deadline:
            kind = self.random.choices(kinds, weights)[0]
            path = self.random.choice(by_kind[kind])
            self.fetch(kind, path)
            if self.think:  # a person reading the page: uniform between 0 and twice the mean
                time.sleep(self.random.uniform(0, 2 * self.think))
            if self.results.refused:
                time.sleep(0.05)  # a dead server: do not spin
        if self.connection is not None:
            self.connection.close()


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.by_cache: dict[str, list[float]] = defaultdict(list)  # kept page served, or made
        self.made: Counter = Counter()  # pages made, by kind
        self.errors: Counter = Counter()
        self.examples: dict[str, str] = {}
        self._refused = False

    def add(self, kind: str, path: str, outcome, seconds: float, cache=None) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            if cache:
                self.by_cache[cache].append(seconds)
                self.made[kind] += cache == "made"
            ok = isinstance(outcome, int) and outcome < 400
            if not ok:
                self.errors[(kind, outcome)] += 1
                self.examples.setdefault(f"{kind} {outcome}", path)
            self._refused = outcome == "ConnectionRefusedError"

    @property
    def refused(self) -> bool:
        """Whether the last request found no server listening."""
        return self._refused

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def discover(host: str, port: int, prefix: str) -> list[str]:
    """Practices to open: the first page of the list, and up to 200 more read from the API."""
    connection = http.client.HTTPConnection(host, port, timeout=60)
    connection.request("GET", f"{prefix}/en/practices/")
    body = connection.getresponse().read().decode("utf-8", "replace")
    ids = set(re.findall(r'href="/en/practices/(\d+)', body))
    connection.request("GET", f"{prefix}/api/v1/practices?per_page=1")
    total = json.loads(connection.getresponse().read())["total"]
    pages = max(1, total // 100)
    for page in sorted(random.Random(total).sample(range(1, pages + 1), min(2, pages))):
        connection.request("GET", f"{prefix}/api/v1/practices?per_page=100&page={page}")
        ids |= {str(item["id"]) for item in json.loads(connection.getresponse().read())["items"]}
    connection.close()
    return sorted(ids) or ["1"]


def ordinary_paths(prefix: str, ids: list[str]) -> list[tuple[str, str]]:
    paths = []
    for lang in ("en", "es"):
        paths += [("page", f"{prefix}/{lang}/"), ("page", f"{prefix}/{lang}/corridors/")]
        paths += [("list", f"{prefix}/{lang}/practices/{f.replace('&', '?', 1)}") for f in FILTERS]
        paths += [("practice", f"{prefix}/{lang}/practices/{pid}") for pid in ids]
        for query in SEARCHES[lang]:
            for extra in ("", random.Random(query).choice(FILTERS)):
                paths.append(("search", f"{prefix}/{lang}/search?q={quote(query)}{extra}"))
        paths += [
            ("feed", f"{prefix}/{lang}/feed.atom"),
            ("feed", f"{prefix}/{lang}/practices/feed.atom?theme=legal-frameworks"),
            ("feed", f"{prefix}/{lang}/search/feed.atom?q={quote(SEARCHES[lang][0])}"),
        ]
        paths += [
            ("api", f"{prefix}/api/v1/practices?lang={lang}&q={quote(query)}")
            for query in SEARCHES[lang][:4]
        ]
    paths += [("api", f"{prefix}/api/v1/practices{f.replace('&', '?', 1)}") for f in FILTERS]
    paths += [("api", f"{prefix}/api/v1/practices/{pid}") for pid in ids[:: max(1, len(ids) // 20)]]
    paths += [("api", f"{prefix}/api/v1/taxonomy"), ("api", f"{prefix}/api/v1/collections")]
    paths.append(("page", f"{prefix}/healthz"))
    return paths


def report(results: Results, elapsed: float, clients: int, publisher=None) -> None:
    total = sum(len(v) for v in results.times.values())
    print(f"{'kind':<10} {'requests':>9} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for kind in sorted(results.times):
        values = results.times[kind]
        p50, p95, p99 = (percentile(values, q) * 1000 for q in (50, 95, 99))
        print(
            f"{kind:<10} {len(values):>9} {p50:>9.1f} {p95:>9.1f} {p99:>9.1f} "
            f"{max(values) * 1000:>9.1f}"
        )
    everything = [t for v in results.times.values() for t in v]
    if everything:
        p50, p95, p99 = (percentile(everything, q) * 1000 for q in (50, 95, 99))
        print(
            f"{'all':<10} {total:>9} {p50:>9.1f} {p95:>9.1f} {p99:>9.1f} "
            f"{max(everything) * 1000:>9.1f}"
        )
    print(
        "kept pages: "
        + ", ".join(
            f"{how} {len(values)} (p50 {percentile(values, 50) * 1000:.0f} ms, "
            f"p95 {percentile(values, 95) * 1000:.0f} ms)"
            for how, values in sorted(results.by_cache.items())
        )
        + "; made: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(results.made.items()))
    )
    for (kind, outcome), count in sorted(results.errors.items(), key=str):
        example = results.examples.get(f"{kind} {outcome}", "")
        print(f"error: {kind} {outcome} x{count} (e.g. {example})")
    if publisher is not None:
        print(publisher.report())
    met = everything and p95 < TARGET_P95_MS and not results.error_count
    print(
        f"Done: {total} requests from {clients} clients in {elapsed:.1f} s, "
        f"{total / elapsed:.1f} requests/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"p99 {p99:.1f} ms, {results.error_count} error(s); target (0 errors, p95 under "
        f"{TARGET_P95_MS} ms) {'met' if met else 'missed'}."
        if everything
        else f"Done: no request completed in {elapsed:.1f} s."
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds")
    parser.add_argument("--first", action="append", default=[], help="a path to fetch first")
    parser.add_argument(
        "--hostile", action="store_true", help="hostile queries from every client but four"
    )
    parser.add_argument(
        "--only", action="append", default=[], help="fetch only this kind (list, search, ...)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds a client waits between requests"
    )
    parser.add_argument("--serve", action="store_true", help="serve the site (see above)")
    parser.add_argument("--practices", type=int, default=10_000, help="with --serve")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kb-load"), help="with --serve")
    parser.add_argument("--database-url", help="with --serve (default: SQLite in --work)")
    parser.add_argument("--workers", type=int, help="with --serve (default: kb.serving's)")
    parser.add_argument("--threads", type=int, help="with --serve (default: kb.serving's)")
    parser.add_argument("--publish-every", type=float, help="seconds between publications")
    parser.add_argument(
        "--both",
        action="store_true",
        help="with --serve: run 1, then run 2 on the same server, with an editor publishing "
        "every --publish-every seconds (default 2)",
    )
    parser.add_argument(
        "--warm-up",
        type=float,
        default=0.0,
        help="seconds of the same traffic before measuring (caches filled; not counted)",
    )
    args = parser.parse_args(argv)
    if args.publish_every and not (args.serve or args.database_url):
        parser.error("--publish-every needs --serve or --database-url (to add submissions)")
    if args.serve:
        return serve(args)
    return run(args)


def serve(args) -> int:
    import loadsite

    if args.clients == 32 and args.duration == 120.0:  # the run unless told otherwise
        args.clients, args.duration = 50, 60.0
    args.database_url = args.database_url or f"sqlite:///{args.work / 'kb.sqlite'}"
    node = loadsite.prepare(args.work, args.database_url, args.practices, args.seed)
    node.workers = args.workers or node.workers
    node.threads = args.threads or node.threads
    node.start()
    args.url = node.url
    print(f"Serving {node.url} ({node.workers} workers, {node.threads} threads)", file=sys.stderr)
    try:
        if not args.both:
            return run(args)
        print("Run 1: the clients", flush=True)
        first = run(argparse.Namespace(**{**vars(args), "publish_every": None}))
        print("Run 2: the clients and an editor, on the same server", flush=True)
        args.publish_every, args.warm_up = args.publish_every or 2.0, 0.0
        return max(first, run(args))
    finally:
        node.stop()


def run(args) -> int:
    target = urlsplit(args.url)
    host, port = target.hostname or "127.0.0.1", target.port or 80
    prefix = target.path.rstrip("/")
    results = Results()
    for path in args.first:
        started = time.perf_counter()
        Client(host, port, [], 0, results, 0).fetch("first", prefix + path)
        print(f"first: {path} took {time.perf_counter() - started:.1f} s", file=sys.stderr)
    ordinary = ordinary_paths(prefix, discover(host, port, prefix))
    if args.only:
        ordinary = [(kind, path) for kind, path in ordinary if kind in args.only]
    hostile = [
        ("hostile", f"{prefix}/{lang}/search?q={quote(q)}")
        for q in HOSTILE
        for lang in ("en", "es")
    ]
    if args.warm_up:
        warm = Results()
        warm_deadline = time.monotonic() + args.warm_up
        fleet = [
            Client(host, port, ordinary, warm_deadline, warm, args.seed + 1000 + n, args.think)
            for n in range(args.clients)
        ]
        for client in fleet:
            client.start()
        for client in fleet:
            client.join()
        count = sum(len(v) for v in warm.times.values())
        print(
            f"warm-up: {count} requests in {args.warm_up:.0f} s, not counted, "
            f"{warm.error_count} error(s)",
            file=sys.stderr,
        )
    started = time.monotonic()
    deadline = started + args.duration
    publisher = None
    if args.publish_every:
        import loadsite

        publisher = loadsite.Publisher(
            f"http://{host}:{port}",
            args.database_url,
            args.publish_every,
            deadline,
            int(args.duration / args.publish_every) + 2,
        )
        publisher.start()
    clients = []
    for n in range(args.clients):
        paths = hostile if args.hostile and n >= min(4, args.clients - 1) else ordinary
        clients.append(Client(host, port, paths, deadline, results, args.seed + n, args.think))
    for client in clients:
        client.start()
    last = 0
    while any(c.is_alive() for c in clients):
        time.sleep(0.5)
        done = sum(len(v) for v in results.times.values())
        if time.monotonic() - started >= last + 10:
            last += 10
            print(
                f"  {last:>4} s: {done} requests, {results.error_count} error(s)",
                file=sys.stderr,
            )
    if publisher is not None:
        publisher.join(timeout=30)
    report(results, time.monotonic() - started, args.clients, publisher)
    failed = results.error_count or (publisher and (publisher.missed or publisher.failures))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
