"""make bench: Rounds beside nginx serving the same pages as static files and a minimal
Flask + SQLite app, in one interleaved run, so every figure is also a ratio.

    make bench                                   # the full run (about 20 minutes)
    .venv/bin/python -m bench.run --quick        # a 1-2 minute look
    .venv/bin/python -m bench.run --growth       # memory after 20,000 and 100,000 requests
    .venv/bin/python -m bench.run --render-each-time --pages post,home,search-new
    .venv/bin/python -m bench.run --json out.json --seconds 5 --concurrency 1,16,64

For each site (a small one: the sample content and a few more posts; a large one: 10,000
posts of realistic length and 100,000 comments, built with bulk inserts), it serves:

- ``static``: nginx serving each page's HTML, as Rounds renders it, from a file;
- ``minimal``: bench/minimal.py (Flask, SQLite, Jinja) under gunicorn, 2 sync workers;
- ``rounds``: Rounds under gunicorn with the shipped deploy/gunicorn.conf.py;
- ``nginx``: nginx in front of it with the shipped deploy/nginx.conf's proxy settings
  but no micro-cache; ``cached``: the same with the shipped micro-cache.

and drives each page (post, home, tag, archive, search, feed, sitemap; and ``seen``, the view
beacon, which only Rounds answers; search asks for each of SEARCHES in turn) at each
concurrency, the servers taking turns page by page, with wrk when it is installed
(``-t2``, gzip accepted, a 10 s timeout) or else
Python client threads (slower than wrk: their own cost is in the figures, so use them
for ratios only). After the run it reads the Rounds stack's memory: the PSS of gunicorn's
master and every process under it (/proc/<pid>/smaps_rollup): the workers, the render
server and any render it is running.

``--render-each-time`` runs Rounds with no stored pages and no front door, so it renders
every page for each request: what a page costs made afresh (for the signed-in author, a
reader with their own cookie, a search no one made before), against the same yardsticks.

Everything listens on 127.0.0.1 only, lives in a temporary folder, and stops by itself.
The client runs on the same cores as the servers: figures are floors, not ceilings.
"""

import argparse
import http.client
import itertools
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench.site import BENCH_POST, BENCH_TAG, ROOT, environment
from bench.site import build_site as build_bench_site

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) bench"
# gunicorn's default access log line, and the time the request took in microseconds.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'
PAGES = {
    "post": f"/post/{BENCH_POST}",
    "home": "/",
    "tag": f"/tag/{BENCH_TAG}",
    "archive": "/archive",
    "search": "/search?q=blood+pressure",
    "search-new": "/search?q=blood+pressure",
    "feed": "/feed.xml",
    "sitemap": "/sitemap.xml",
    "seen": f"/post/{BENCH_POST}/seen",
}
# The search page asks for each of these in turn (readers' searches: topics of the large
# site, words of the samples, a half-typed word, one that is in half the posts), so its
# figure is not one query's, hot in SQLite's cache. The copy that nginx and the minimal
# app serve is PAGES["search"]; they ignore the query string.
SEARCHES = [
    "blood pressure", "migraine", "cholesterol", "statins", "insomnia", "vitamin d",
    "kidney stones", "walki", "gout", "exercise",
]  # fmt: skip
ROUNDS_ONLY = {"seen"}
# Pages asked for with a new address each time (``&n=`` and a number), so no copy kept
# of an earlier answer serves them: what a search no one made before costs.
NEW_EACH_TIME = {"search-new"}
# gunicorn's log line when a worker reaches max_requests: "[time] [pid] [INFO] Autorestarting"
RESTARTING = re.compile(r"\[(\d+)\] \[INFO\] Autorestarting worker")
RESTARTED_MARK = "†"
TARGETS = ("static", "minimal", "rounds", "nginx", "cached")
SITES = {"small": (20, 100), "large": (10_000, 100_000)}
# --render-each-time: Rounds' settings for rendering every page for each request.
RENDER_EACH_TIME = {"BLOG_STORED_PAGES": "false", "BLOG_FRONT_DOOR_BYTES": "0"}
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WRK = shutil.which("wrk")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_site(folder: Path, posts: int, comments: int = 0) -> list[str]:
    """The site to serve (bench/site.py); its settings are put in this process's environment."""
    return build_bench_site(folder, posts, comments)


# -- Servers ------------------------------------------------------------------------------


def start_server(port: int, workers: int, log=subprocess.DEVNULL, env=None) -> subprocess.Popen:
    """gunicorn with the production config on 127.0.0.1:``port``, serving the site that
    build_site() made (with ``env`` added to its environment), its access and error logs
    to ``log``; returns once it answers."""
    env = {**os.environ, **(env or {})}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--access-logformat", ACCESS_LOG_FORMAT, "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    return wait_or_stop(server, port, "/healthz")


def start_minimal(port: int, pages_db: Path) -> subprocess.Popen:
    """bench/minimal.py under gunicorn: 2 sync workers, no access log."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "bench.minimal:app"],
        cwd=ROOT, env={**os.environ, "BENCH_PAGES": str(pages_db)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    return wait_or_stop(server, port, PAGES["post"])


def wait_or_stop(server: subprocess.Popen, port: int, path: str) -> subprocess.Popen:
    try:
        wait_until_up(port, path)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: subprocess.Popen | None) -> None:
    """Stop a server and everything it started (workers, their render processes)."""
    if server is not None and server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_until_up(port: int, path: str = "/healthz") -> None:
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not start")


def shipped_nginx_parts() -> dict[str, str]:
    """The shipped site's upstream, micro-cache zone, search limit, gzip settings and
    reader location. The search limit's rate is lifted, as the app's is (bench/site.py):
    one client asks for thousands of searches, to measure the search, not the limit."""
    shipped = (ROOT / "deploy/nginx.conf").read_text()
    location_start = shipped.index("    location / {\n        proxy_pass http://rounds;")
    location = shipped[location_start : shipped.index("\n    }\n", location_start) + 6]
    search_limit = re.search(r"^map \$uri \$rounds_search_client \{.*?^limit_req_zone[^;]*;",
                             shipped, re.S | re.M)[0]  # fmt: skip
    return {
        "upstream": re.search(r"^upstream rounds \{.*?^\}", shipped, re.S | re.M)[0],
        "cache_path": re.search(r"^proxy_cache_path[^;]*;", shipped, re.M)[0],
        "search_limit": re.sub(r"rate=\d+r/[sm]", "rate=1000000r/s", search_limit),
        "gzip": "\n".join(re.findall(r"^\s*gzip[^;]*;", shipped, re.M)),
        "location": location,
    }


def nginx_config(folder: Path, ports: dict[str, int], rounds_port: int) -> str:
    """A temporary nginx configuration: static files, and the shipped proxy settings in
    front of Rounds without and with the micro-cache; all on 127.0.0.1, files in ``folder``."""
    parts = shipped_nginx_parts()
    upstream = parts["upstream"].replace("127.0.0.1:8000", f"127.0.0.1:{rounds_port}")
    cache_path = parts["cache_path"].replace("/var/cache/nginx-rounds", str(folder / "cache"))
    uncached = "\n".join(
        line
        for line in parts["location"].splitlines()
        if not re.match(r"\s*(proxy_cache|proxy_no_cache|add_header X-Cache-Status)", line)
    )
    temp = "\n".join(
        f"    {name}_temp_path {folder / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # nginx runs as whoever starts it; started by root, its workers must still read the
    # temporary folders, which only their owner may enter.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""{user}
worker_processes auto;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    server_tokens off;
    keepalive_requests 100000;
{temp}
    types {{ text/html html; application/xml xml; }}
    default_type text/html;
{parts["gzip"]}
{upstream}
{cache_path}
{parts["search_limit"]}
    server {{
        listen 127.0.0.1:{ports["static"]};
        root {folder / "static"};
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
    server {{
        listen 127.0.0.1:{ports["nginx"]};
{uncached}
    }}
    server {{
        listen 127.0.0.1:{ports["cached"]};
{parts["location"]}
    }}
}}
"""


def start_nginx(folder: Path, ports: dict[str, int], rounds_port: int) -> subprocess.Popen:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(nginx_config(folder, ports, rounds_port))
    server = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    return wait_or_stop(server, ports["static"], "/")


def fetch(port: int, path: str) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"User-Agent": BROWSER})
    response = connection.getresponse()
    return response.status, response.getheader("Content-Type", ""), response.read()


def copy_pages(rounds_port: int, static: Path, pages_db: Path) -> None:
    """Each page as Rounds renders it, as a file for nginx and a row for the minimal app."""
    from bench.minimal import store_pages

    rows = {}
    for name, path in PAGES.items():
        if name in ROUNDS_ONLY:
            continue
        status, kind, body = fetch(rounds_port, path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        url_path = path.split("?")[0]
        target = static / (url_path.lstrip("/") or "index.html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        rows[url_path] = (kind, body.decode())
    store_pages(str(pages_db), rows)


# -- Load ---------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def paths_for(page: str) -> list[str]:
    """The addresses a page's run asks for, in turn."""
    if page in ("search", "search-new"):
        return ["/search?" + urllib.parse.urlencode({"q": words}) for words in SEARCHES]
    return [PAGES[page]]


def drive(
    port: int,
    path: str | list[str],
    concurrency: int,
    seconds: float,
    post: bool = False,
    new_each_time: bool = False,
) -> dict:
    """Requests a second, latency percentiles (ms) and errors for ``path`` on ``port``
    (or for each of a list of paths in turn; ``new_each_time``: each with ``&n=`` and a
    number no other request had)."""
    paths = [path] if isinstance(path, str) else path
    if WRK:
        return drive_wrk(port, paths, concurrency, seconds, post, new_each_time)
    return drive_python(port, paths, concurrency, seconds, post, new_each_time)


def drive_wrk(
    port: int, paths: list[str], concurrency: int, seconds: float, post: bool, new_each_time: bool
) -> dict:
    script = []
    if post:  # the beacon: a same-site POST, as the page's script sends it
        script = [
            'wrk.method = "POST"',
            f'wrk.headers["Origin"] = "http://127.0.0.1:{port}"',
            'wrk.headers["Sec-Fetch-Site"] = "same-origin"',
        ]
    if len(paths) > 1 or new_each_time:  # each connection's requests take the paths in turn
        listed = ", ".join(json.dumps(path) for path in paths)
        # Each wrk thread runs its own copy of the script: a table's address tells them apart.
        unique = ' .. "&n=" .. thread_tag .. "-" .. sent' if new_each_time else ""
        script += [
            f"local paths = {{{listed}}}",
            "local next_path, sent = 0, 0",
            "local thread_tag = string.sub(tostring({}), 10)",
            "request = function()",
            "  next_path = next_path % #paths + 1",
            "  sent = sent + 1",
            f"  return wrk.format(nil, paths[next_path]{unique})",
            "end",
        ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write("\n".join(script) + "\n")
    try:
        output = subprocess.run(
            [WRK, f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s",
             "--latency", "--timeout", "10s", "-s", lua.name, "-H", "Accept-Encoding: gzip",
             "-H", f"User-Agent: {BROWSER}", f"http://127.0.0.1:{port}{paths[0]}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        os.unlink(lua.name)
    total = int(re.search(r"(\d+) requests in", output)[1])
    percentiles = {
        share: float(value) * UNITS[unit]
        for share, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(bad[1]) if bad else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    return {
        "requests": total,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50_ms": percentiles.get("50"),
        "p99_ms": percentiles.get("99"),
        "errors": errors,
    }


def drive_python(
    port: int, paths: list[str], concurrency: int, seconds: float, post: bool, new_each_time: bool
) -> dict:
    """The fallback without wrk: one thread and one kept-alive connection per client."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    numbers = itertools.count()
    deadline = time.monotonic() + seconds
    headers = {"User-Agent": BROWSER, "Accept-Encoding": "gzip"}
    if post:
        headers.update({"Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"})

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        turns = itertools.cycle(paths)
        while time.monotonic() < deadline:
            address = next(turns)
            if new_each_time:
                address += f"&n={next(numbers)}"
            started = time.perf_counter()
            try:
                connection.request("POST" if post else "GET", address, headers=headers)
                response = connection.getresponse()
                response.read()
                failed = response.status >= 400
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                failed = True
            with lock:
                times.append((time.perf_counter() - started) * 1000)
                errors[0] += failed
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    quantiles = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
    return {
        "requests": len(times),
        "rps": len(times) / seconds,
        "p50_ms": quantiles[49] if times else None,
        "p99_ms": quantiles[98] if times else None,
        "errors": errors[0],
    }


# -- Memory -------------------------------------------------------------------------------


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def pss_mb(pids: list[int]) -> float:
    total_kb = 0
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total_kb += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)[1])
    return round(total_kb / 1024, 1)


def stack_memory(master: int) -> dict:
    """PSS of gunicorn's master and every process under it (workers, the render server
    and its renders), and how many processes that is."""
    everything, waiting = [master], [master]
    while waiting:
        children = children_of(waiting.pop())
        everything += children
        waiting += children
    return {"processes": len(everything), "pss_mb": pss_mb(everything)}


# -- The run ------------------------------------------------------------------------------


class Stack:
    """Every server of one site, started and stopped together."""

    def __init__(self, folder: Path, posts: int, comments: int, settings: dict | None = None):
        self.folder = folder
        self.settings = settings or {}  # more of Rounds' settings (environment variables)
        folder.mkdir(parents=True)
        started = time.monotonic()
        cpu = time.process_time()
        build_site(folder, posts, comments)
        self.build = {
            "posts": posts,
            "comments": comments,
            "seconds": round(time.monotonic() - started, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
        }
        self.ports = {name: free_port() for name in TARGETS}
        self.servers: list[subprocess.Popen] = []
        self.log_read, self.restarting = 0, set()  # how far restarting_workers() has read

    def __enter__(self):
        try:
            self.log = open(self.folder / "rounds.log", "w")  # noqa: SIM115 - closed on exit
            env = self.environment()
            self.rounds = start_server(self.ports["rounds"], 2, log=self.log, env=env)
            self.servers.append(self.rounds)
            copy_pages(
                self.ports["rounds"],
                self.folder / "nginx" / "static",
                self.folder / "pages.sqlite3",
            )
            self.servers.append(start_minimal(self.ports["minimal"], self.folder / "pages.sqlite3"))
            self.servers.append(
                start_nginx(self.folder / "nginx", self.ports, self.ports["rounds"])
            )
        except BaseException:
            self.__exit__()
            log = self.folder / "rounds.log"
            print(log.read_text()[-3000:] if log.exists() else "", file=sys.stderr)
            raise
        return self

    def environment(self) -> dict[str, str]:
        """Rounds' settings: the site's, SITE_URL, and any given to the stack."""
        # SITE_URL set, as the deploy guide sets it, to the address clients use: so the
        # master's rehearsal (blog/public/rehearsal.py) asks for pages at that address.
        site_url = f"http://127.0.0.1:{self.ports['rounds']}"
        return {**environment(self.folder), "BLOG_SITE_URL": site_url, **self.settings}

    def restarting_workers(self) -> set[str]:
        """The pids of the gunicorn workers that have begun to restart so far
        (``max_requests``): each logs "Autorestarting", from one thread or more. Reads
        only the whole lines the log has gained since the last call (with the access log,
        it grows by hundreds of megabytes in a full run)."""
        with open(self.folder / "rounds.log", "rb") as log:
            log.seek(self.log_read)
            gained = log.read()
        whole = gained[: gained.rfind(b"\n") + 1]
        self.log_read += len(whole)
        self.restarting.update(RESTARTING.findall(whole.decode("utf-8", "replace")))
        return set(self.restarting)

    def __exit__(self, *_exc):
        for server in reversed(self.servers):
            stop_server(server)
        if getattr(self, "log", None):
            self.log.close()


def rounds_settings(args) -> dict[str, str]:
    """The settings Rounds runs with beyond the site's (``--render-each-time``)."""
    return RENDER_EACH_TIME if args.render_each_time else {}


def measure(args) -> dict:
    settings = rounds_settings(args)
    results = {"machine": machine(), "load_generator": "wrk" if WRK else "python threads",
               "seconds_per_run": args.seconds, "rounds_settings": settings,
               "sites": {}, "runs": []}  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="rounds-bench-"))
    try:
        for site in args.sites:
            posts, comments = SITES[site] if site != "large" else (args.posts, args.comments)
            with Stack(folder / site, posts, comments, settings) as stack:
                results["sites"][site] = {"build": stack.build}
                for concurrency in args.concurrency:
                    for page in args.pages:
                        for target in TARGETS:
                            if page in ROUNDS_ONLY and target != "rounds":
                                continue
                            restarting = stack.restarting_workers()
                            figures = drive(stack.ports[target], paths_for(page), concurrency,
                                            args.seconds, post=page in ROUNDS_ONLY,
                                            new_each_time=page in NEW_EACH_TIME)  # fmt: skip
                            row = {"site": site, "page": page, "concurrency": concurrency,
                                   "target": target, **figures}  # fmt: skip
                            if target == "rounds":
                                restarted = stack.restarting_workers() - restarting
                                row["worker_restarts"] = len(restarted)
                            results["runs"].append(row)
                            print(json.dumps(row), file=sys.stderr, flush=True)
                results["sites"][site]["memory"] = stack_memory(stack.rounds.pid)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def growth(args) -> dict:
    """The Rounds stack's PSS after each number of post-page requests in ``args.growth``."""
    folder = Path(tempfile.mkdtemp(prefix="rounds-bench-"))
    settings = rounds_settings(args)
    found = {"machine": machine(), "rounds_settings": settings, "memory_after_requests": []}
    try:
        with Stack(folder / "small", *SITES["small"], settings) as stack:
            served = 0
            for target in args.growth:
                while served < target:  # 2 s at a time: read close to each number
                    served += drive(stack.ports["rounds"], PAGES["post"], 16, 2)["requests"]
                found["memory_after_requests"].append(
                    {"requests": served, **stack_memory(stack.rounds.pid)}
                )
                print(json.dumps(found["memory_after_requests"][-1]), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return found


def machine() -> dict:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )  # fmt: skip
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def ratio(value: float | None, base: float | None, percent: bool = False) -> str:
    if not value or not base:
        return ""
    return f"{100 * value / base:.0f}%" if percent else f"{value / base:.2f}×"


def number(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def markdown(results: dict) -> str:
    """One row per site, concurrency and page: each server's req/s and Rounds' ratios."""
    lines = [
        "| site | c | page | static req/s | minimal req/s | Rounds req/s | p50 ms | p99 ms "
        "| × minimal | of static | via nginx req/s | micro-cache req/s | p99 ms | of static |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    table: dict[tuple, dict[str, dict]] = {}
    for run in results["runs"]:
        table.setdefault((run["site"], run["concurrency"], run["page"]), {})[run["target"]] = run
    for (site, concurrency, page), runs in table.items():
        rps = {target: runs[target]["rps"] if target in runs else None for target in TARGETS}
        rounds, cached = runs.get("rounds", {}), runs.get("cached", {})
        restarted = RESTARTED_MARK if rounds.get("worker_restarts") else ""
        lines.append(
            f"| {site} | {concurrency} | {page} | {number(rps['static'])} | "
            f"{number(rps['minimal'])} | {number(rps['rounds'])}{restarted} | "
            f"{number(rounds.get('p50_ms'), 1)} | {number(rounds.get('p99_ms'), 1)} | "
            f"{ratio(rps['rounds'], rps['minimal'])} | "
            f"{ratio(rps['rounds'], rps['static'], percent=True)} | {number(rps['nginx'])} | "
            f"{number(rps['cached'])} | {number(cached.get('p99_ms'), 1)} | "
            f"{ratio(rps['cached'], rps['static'], percent=True)} |"
        )
    if results.get("rounds_settings"):
        lines.append(
            "\nRounds rendered every page for each request (`--render-each-time`: "
            + ", ".join(f"`{name}={value}`" for name, value in results["rounds_settings"].items())
            + "); the micro-cache columns are still nginx's cache in front of it."
        )
    if any(run.get("worker_restarts") for run in results["runs"]):
        lines.append(
            f"\n{RESTARTED_MARK} a worker began to restart during Rounds' run (gunicorn's "
            "`max_requests`): its connections moved to the other worker."
        )
    for site, about in results["sites"].items():
        build, memory = about["build"], about.get("memory", {})
        lines.append(
            f"\n{site} site: {build['posts']:,} posts and {build['comments']:,} comments more than "
            f"the samples, built in {build['seconds']} s ({build['cpu_seconds']} s of CPU); "
            f"the Rounds stack after its run: {memory.get('pss_mb')} MB PSS for gunicorn's "
            f"master and the {memory.get('processes', 1) - 1} processes under it (2 workers "
            "and the render server)."
        )
    return "\n".join(lines)


def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="the small site, concurrency 16, 2 s a run (~2 minutes)")  # fmt: skip
    parser.add_argument("--sites", default="small,large", help="small, large or both")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--posts", type=int, default=SITES["large"][0], help="the large site's")
    parser.add_argument("--comments", type=int, default=SITES["large"][1])
    parser.add_argument("--growth", nargs="?", const="20000,100000", default=None,
                        help="instead: PSS after these numbers of requests")  # fmt: skip
    parser.add_argument("--render-each-time", action="store_true",
                        help="Rounds with no stored pages and no front door")  # fmt: skip
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.quick:
        args.sites, args.concurrency, args.seconds = "small", "16", 2
    args.sites = [site for site in args.sites.split(",") if site]
    args.pages = [page for page in args.pages.split(",") if page]
    args.concurrency = numbers(args.concurrency)
    if args.growth:
        args.growth = numbers(args.growth)
        results = growth(args)
        print(json.dumps(results, indent=2))
    else:
        results = measure(args)
        print(markdown(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    random.seed(1)
    raise SystemExit(main())
