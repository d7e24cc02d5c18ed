"""Load generator: N concurrent keep-alive clients fetching a mix of pages and searches in both
languages for T seconds, against a running server.

    python bench/load.py                                  # 32 clients, 120 s, http://127.0.0.1:5000
    python bench/load.py --clients 8 --duration 30 --url http://127.0.0.1:8080
    python bench/load.py --first '/en/search?q="migrant workers"~10000000'   # a heavy request first
    python bench/load.py --hostile                        # hostile queries, and pages meanwhile

Prints requests/s, p50/p95/p99 and errors (by status, and connection failures: a server that
died shows as refused connections). In hostile mode each client sends costly queries (phrase
slop, wildcards, many terms, long queries) while a few others fetch ordinary pages; the figures
are given for each kind, so the time of a hostile query and its effect on everyone else show.
Exit status 1 when any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import sys
import threading
import time
from collections import Counter, defaultdict
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

    def __init__(self, host, port, paths, deadline, results, seed):
        super().__init__(daemon=True)
        self.host, self.port = host, port
        self.paths = paths
        self.deadline = deadline
        self.results = results
        self.random = random.Random(seed)
        self.connection = None

    def fetch(self, kind: str, path: str) -> None:
        started = time.perf_counter()
        outcome = None
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
            self.connection.request("GET", path, headers={"Accept-Encoding": "identity"})
            response = self.connection.getresponse()
            response.read()
            outcome = response.status
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
        except (OSError, http.client.HTTPException) as exc:
            outcome = type(exc).__name__
            if self.connection is not None:
                self.connection.close()
            self.connection = None
        self.results.add(kind, path, outcome, time.perf_counter() - started)

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            kind, path = self.random.choice(self.paths)
            self.fetch(kind, path)
            if self.results.refused:
                time.sleep(0.05)  # a dead server: do not spin
        if self.connection is not None:
            self.connection.close()


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter = Counter()
        self.examples: dict[str, str] = {}
        self._refused = False

    def add(self, kind: str, path: str, outcome, seconds: float) -> None:
        with self.lock:
            self.times[kind].append(seconds)
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
    """Practice pages linked from the first page of the list."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request("GET", f"{prefix}/en/practices/")
    body = connection.getresponse().read().decode("utf-8", "replace")
    connection.close()
    ids = sorted(set(re.findall(r'href="/en/practices/(\d+)', body)))
    return ids or ["1"]


def ordinary_paths(prefix: str, ids: list[str]) -> list[tuple[str, str]]:
    paths = []
    for lang in ("en", "es"):
        paths += [("page", f"{prefix}/{lang}/"), ("page", f"{prefix}/{lang}/corridors/")]
        paths += [("list", f"{prefix}/{lang}/practices/{f.replace('&', '?', 1)}") for f in FILTERS]
        paths += [("practice", f"{prefix}/{lang}/practices/{pid}") for pid in ids]
        for query in SEARCHES[lang]:
            for extra in ("", random.Random(query).choice(FILTERS)):
                paths.append(("search", f"{prefix}/{lang}/search?q={quote(query)}{extra}"))
    paths.append(("page", f"{prefix}/healthz"))
    return paths


def report(results: Results, elapsed: float, clients: int) -> None:
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
    for (kind, outcome), count in sorted(results.errors.items(), key=str):
        example = results.examples.get(f"{kind} {outcome}", "")
        print(f"error: {kind} {outcome} x{count} (e.g. {example})")
    print(
        f"Done: {total} requests from {clients} clients in {elapsed:.1f} s, "
        f"{total / elapsed:.1f} requests/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"p99 {p99:.1f} ms, {results.error_count} error(s)."
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
    args = parser.parse_args(argv)

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
    started = time.monotonic()
    deadline = started + args.duration
    clients = []
    for n in range(args.clients):
        paths = hostile if args.hostile and n >= min(4, args.clients - 1) else ordinary
        clients.append(Client(host, port, paths, deadline, results, args.seed + n))
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
    report(results, time.monotonic() - started, args.clients)
    return 1 if results.error_count else 0


if __name__ == "__main__":
    sys.exit(main())
