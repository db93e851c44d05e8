"""Flood: the worst inputs at their caps, sent for a minute, while a reader keeps reading.

    make bench-flood          # or: .venv/bin/python -m bench.flood --seconds 60 --senders 16

Builds a temporary site and serves it with gunicorn and deploy/gunicorn.conf.py on a free
port of 127.0.0.1, trusting X-Forwarded-For from one proxy as behind nginx. A watcher reads
/healthz and a post page every half second, first on the quiet site, then while senders,
until the time is up, send in turn:

- editor-save, editor-preview: signed-out POSTs of the hostile texts (bench.hostile) at
  MAX_POST_KB to /admin/posts/new and /admin/preview;
- comment, many addresses: the hostile texts at 5,000 characters to the watched post's
  comment form, with valid fields (a session, its CSRF token, a form start time old
  enough), each from another address, as a botnet would: every one reaches rendering;
- comment, one address: the same as a browser would send them, bypassing nothing: the
  page loaded for a fresh form before each one, a person's pause, one address (so the
  rate limit answers most with 429);
- oversize: 10 MB bodies to public endpoints (comments, likes, sign-in, setup);
- like: likes with a valid form, from one address.

The report gives each sender's answers, the watcher's latencies, every answer in the
server's access log, the server's CPU time, and the number of 5xx answers (to be 0);
--json also writes it to a file. Exits with 1 when a 5xx was seen or a watched page took a
second or more. Stops by itself; touches nothing outside a temporary folder; talks to
127.0.0.1 only.
"""

import argparse
import http.client
import itertools
import json
import multiprocessing
import os
import re
import select
import shutil
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from bench.render_budget import machine
from bench.run import build_site, free_port, start_server, stop_server

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) bench-flood"
OVERSIZE = 10 * 1024 * 1024
COMMENT_MANY = "comment, many addresses"
COMMENT_ONE = "comment, one address"
KINDS = ["editor-save", "editor-preview", COMMENT_MANY, "oversize", "like", COMMENT_ONE]
WATCH_EVERY = 0.5
WATCH_LIMIT = 1.0  # seconds a reader may wait, at most, for a watched page


class Client:
    """A browser, or a script, with the cookies it was given; a new connection for each
    request, as a script sending one request after another would open."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        """(status, body text); status 0 when the connection failed or was closed."""
        headers = {"User-Agent": BROWSER, "Connection": "close", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            return 0, ""
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, text

    def post_form(self, path: str, fields: dict | bytes, headers=None):
        body = fields if isinstance(fields, bytes) else urlencode(fields).encode()
        form = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("POST", path, body, form)

    def post_oversize(self, path: str, size: int) -> int:
        """POST a body of ``size`` bytes, sent in pieces for as long as the server has not
        answered (a server that refuses it from its headers answers before reading it)."""
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUser-Agent: {BROWSER}\r\n"
            "Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {size}\r\n\r\n"
        )
        piece = b"x" * 65536
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=60) as sock:
                sock.sendall(head.encode())
                sent = 0
                while sent < size and not select.select([sock], [], [], 0)[0]:
                    sock.sendall(piece[: size - sent])
                    sent += len(piece)
                status_line = sock.makefile("rb").readline().split()
        except OSError:  # the server closed the connection on the rest of the body
            return 0
        return int(status_line[1]) if len(status_line) > 1 else 0


def hidden_fields(page: str, names: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for name in names:
        match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
        found[name] = match.group(1) if match else ""
    return found


class Texts:
    """The hostile texts at their caps, made (and form-encoded) once for every sender."""

    def __init__(self):
        from bench.hostile import COMMENT_CAP, FAMILIES, POST_CAP, hostile

        self.families = list(FAMILIES)
        self.comment = {name: hostile(name, COMMENT_CAP) for name in FAMILIES}
        self.save, self.preview = {}, {}
        for name in FAMILIES:
            text = hostile(name, POST_CAP)
            fields = {"title": name, "body": text, "status": "published"}
            self.save[name] = urlencode(fields).encode()
            self.preview[name] = urlencode({"body": text}).encode()


_addresses = itertools.count()


def next_address() -> str:
    """Another client address (in 198.18.0.0/15, the range kept for benchmarks)."""
    number = next(_addresses) % 2**17
    return f"198.{18 + number // 65536}.{number // 256 % 256}.{number % 256}"


class Sender(threading.Thread):
    """Sends one kind of hostile request again and again until the deadline."""

    def __init__(self, kind: str, port: int, slug: str, texts: Texts, deadline: float, wait):
        super().__init__(daemon=True)
        self.kind, self.port, self.texts = kind, port, texts
        self.deadline, self.wait = deadline, wait
        self.post_url = f"/post/{slug}"
        paths = [f"{self.post_url}/comments", f"{self.post_url}/like", "/login", "/setup"]
        self.oversize_paths = itertools.cycle(paths)
        self.statuses: Counter = Counter()
        self.seconds: list[float] = []

    def run(self):
        families = itertools.cycle(self.texts.families)
        client = Client(self.port)
        form = self.form(client) if self.kind in (COMMENT_MANY, "like") else {}
        while time.monotonic() < self.deadline:
            started = time.perf_counter()
            self.statuses[self.send(client, next(families), form)] += 1
            self.seconds.append(time.perf_counter() - started)

    def form(self, client: Client) -> dict:
        """The post page's form fields, once its start time is old enough to be accepted."""
        _, page = client.request("GET", self.post_url)
        time.sleep(self.wait)
        return hidden_fields(page, ("csrf_token", "started"))

    def send(self, client: Client, family: str, form: dict) -> int:
        if self.kind == "editor-save":
            return client.post_form("/admin/posts/new", self.texts.save[family])[0]
        if self.kind == "editor-preview":
            fetch = {"X-Requested-With": "fetch"}
            return client.post_form("/admin/preview", self.texts.preview[family], fetch)[0]
        if self.kind in (COMMENT_MANY, COMMENT_ONE):
            headers = {"X-Forwarded-For": next_address()} if self.kind == COMMENT_MANY else {}
            if self.kind == COMMENT_ONE:
                form = self.form(client)  # a fresh page, and a person's pause, each time
            body = self.texts.comment[family]
            fields = {**form, "name": "Flood", "email": "", "body": body, "parent_id": ""}
            url = f"{self.post_url}/comments"
            return client.post_form(url, {**fields, "website": ""}, headers)[0]
        if self.kind == "like":
            return client.post_form(f"{self.post_url}/like", {"csrf_token": form["csrf_token"]})[0]
        return client.post_oversize(next(self.oversize_paths), OVERSIZE)


# -- The watcher ------------------------------------------------------------------------


def watch(port: int, slug: str, seconds: float, results) -> None:
    """A reader: /healthz and the post page every WATCH_EVERY seconds, each on a new
    connection as a new visitor's; the latencies are sent to ``results``."""
    paths = {"healthz": "/healthz", "post page": f"/post/{slug}"}
    samples: dict[str, list[tuple[int, float]]] = {name: [] for name in paths}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        tick = time.monotonic()
        for name, path in paths.items():
            started = time.perf_counter()
            status, _ = Client(port).request("GET", path)
            samples[name].append((status, time.perf_counter() - started))
        time.sleep(max(0.0, WATCH_EVERY - (time.monotonic() - tick)))
    results.send({name: latency(found) for name, found in samples.items()})


def latency(samples: list[tuple[int, float]]) -> dict:
    times = sorted(seconds * 1000 for _, seconds in samples)
    return {
        "requests": len(times),
        "ok": sum(1 for status, _ in samples if status == 200),
        "p50_ms": statistics.median(times),
        "p99_ms": statistics.quantiles(times, n=100)[98] if len(times) > 1 else times[0],
        "max_ms": times[-1],
    }


def watched(port: int, slug: str, seconds: float, during=lambda: None) -> dict:
    """Watch for ``seconds`` from a process of its own, which no sender thread slows down,
    while ``during()`` runs here."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=watch, args=(port, slug, seconds, sender))
    process.start()
    during()
    figures = receiver.recv()
    process.join()
    return figures


# -- The server's side ------------------------------------------------------------------

ACCESS_LINE = re.compile(r'"[A-Z]+ \S+ HTTP/[\d.]+" (\d{3}) ')


def answers_logged(log: Path) -> Counter:
    """Every response in gunicorn's access log, by status."""
    return Counter(int(status) for status in ACCESS_LINE.findall(log.read_text("utf-8", "replace")))


def server_cpu(group: int) -> float:
    """CPU seconds used so far by the server's processes (gunicorn, its workers, their
    forkservers) and the render processes they have reaped."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[2]) == group:  # pgrp
            total += sum(int(field) for field in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


# -- The run ----------------------------------------------------------------------------


def flood(args) -> dict:
    """Watch the quiet site, then flood it while watching it; the figures."""
    folder = Path(tempfile.mkdtemp(prefix="rounds-flood-"))
    log, server, before = folder / "gunicorn.log", None, Counter()
    try:
        slug = build_site(folder, posts=20)[0]
        texts = Texts()
        port = free_port()
        with log.open("wb") as output:
            # As behind nginx (deploy/nginx.conf): the client's address from X-Forwarded-For.
            server = start_server(port, args.workers, log=output, env={"BLOG_PROXY_COUNT": "1"})
        for _ in range(10):  # every worker has compiled its templates and opened the database
            Client(port).request("GET", f"/post/{slug}")
        load = {"quiet": os.getloadavg()[0]}
        quiet = watched(port, slug, args.quiet)
        before = answers_logged(log)

        cpu, started = server_cpu(server.pid), time.monotonic()
        kinds = [args.kinds[n % len(args.kinds)] for n in range(args.senders)]
        deadline = started + args.seconds
        senders = [Sender(kind, port, slug, texts, deadline, args.wait) for kind in kinds]

        def send():
            for thread in senders:
                thread.start()
            for thread in senders:
                thread.join()

        flooded = watched(port, slug, args.seconds, during=send)
        cpu, elapsed = server_cpu(server.pid) - cpu, time.monotonic() - started
        load["flood"] = os.getloadavg()[0]
    finally:
        stop_server(server)
        logged = answers_logged(log) - before if log.exists() else Counter()
        tracebacks = log.read_text("utf-8", "replace").count("Traceback") if log.exists() else 0
        if args.log and log.exists():
            shutil.copy(log, args.log)
        shutil.rmtree(folder, ignore_errors=True)

    statuses: dict[str, Counter] = {kind: Counter() for kind in dict.fromkeys(kinds)}
    seconds: dict[str, list[float]] = {kind: [] for kind in statuses}
    for sender in senders:
        statuses[sender.kind].update(sender.statuses)
        seconds[sender.kind].extend(sender.seconds)
    watching = {f"{name} (quiet)": figures for name, figures in quiet.items()}
    watching.update({f"{name} (flood)": figures for name, figures in flooded.items()})
    answered = sum(statuses.values(), Counter())
    return {
        "date": date.today().isoformat(),
        "machine": machine(),
        "load_average": load,
        "seconds": args.seconds,
        "senders": args.senders,
        "workers": args.workers,
        "server_cpu_seconds": cpu,
        "server_cpus_used": cpu / elapsed,
        "senders_per_kind": dict(Counter(kinds)),
        "statuses": {kind: dict(sorted(counts.items())) for kind, counts in statuses.items()},
        "sender_ms": {
            kind: {"p50": statistics.median(times) * 1000, "max": max(times) * 1000}
            for kind, times in seconds.items()
            if times
        },
        "watcher": watching,
        "server_answers": dict(sorted(logged.items())),
        "tracebacks_logged": tracebacks,
        "server_errors": {
            "seen by the senders": sum(n for status, n in answered.items() if status >= 500),
            "in the access log": sum(n for status, n in logged.items() if status >= 500),
        },
        "readers_within_limit": all(
            w["max_ms"] < WATCH_LIMIT * 1000 and w["ok"] == w["requests"] for w in flooded.values()
        ),
    }


def report(result: dict) -> str:
    m, load = result["machine"], result["load_average"]
    lines = [
        f"{result['senders']} senders for {result['seconds']:.0f} s against gunicorn "
        f"({result['workers']} workers); {m['cpus']} × {m['cpu']}; {result['date']}. Load "
        f"average {load['quiet']:.1f} before, {load['flood']:.1f} at the end; the server used "
        f"{result['server_cpu_seconds']:.0f} s of CPU ({result['server_cpus_used']:.2f} CPUs).",
        "",
        "| sender | senders | requests | answers | p50 ms | max ms |",
        "| --- | ---: | ---: | --- | ---: | ---: |",
    ]
    for kind, counts in result["statuses"].items():
        answers = ", ".join(f"{n:,} × {status or 'no answer'}" for status, n in counts.items())
        total, ms = sum(counts.values()), result["sender_ms"].get(kind, {"p50": 0, "max": 0})
        lines.append(
            f"| {kind} | {result['senders_per_kind'][kind]} | {total:,} | {answers} | "
            f"{ms['p50']:,.0f} | {ms['max']:,.0f} |"
        )
    lines += [
        "",
        "(No answer: the server closed the connection before its answer was read, as it does "
        "after refusing a body from its headers; its access log below has every answer.)",
        "",
        "| watched page | requests | 200 | p50 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, w in result["watcher"].items():
        lines.append(
            f"| {name} | {w['requests']} | {w['ok']} | {w['p50_ms']:,.0f} | "
            f"{w['p99_ms']:,.0f} | {w['max_ms']:,.0f} |"
        )
    logged = ", ".join(f"{n:,} × {status}" for status, n in result["server_answers"].items())
    verdict = "yes" if result["readers_within_limit"] else "NO"
    errors = result["server_errors"]
    lines += [
        "",
        f"Answers in the server's access log during the flood: {logged}.",
        f"5xx answers: {errors['seen by the senders']} seen by the senders, "
        f"{errors['in the access log']} in the server's access log; tracebacks in its log: "
        f"{result['tracebacks_logged']}. Every watched request during the flood answered 200 "
        f"within {WATCH_LIMIT:.0f} s: {verdict}.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the flood lasts")
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--quiet", type=float, default=10, help="seconds watched before it")
    parser.add_argument(
        "--wait", type=float, default=4, help="age of a comment form when sent (over 3 s)"
    )
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=KINDS, metavar="KIND")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--log", type=Path, help="keep the server's log in this file")
    args = parser.parse_args()
    result = flood(args)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    healthy = not any(result["server_errors"].values()) and not result["tracebacks_logged"]
    return 0 if healthy and result["readers_within_limit"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
