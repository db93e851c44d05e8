"""Load benchmark: a generated large site served by gunicorn on 127.0.0.1.

    make bench                      # or: .venv/bin/python -m bench.run --posts 1000 --seconds 10

Builds a temporary SQLite site with N posts (through the real content pipeline once,
then copied), starts gunicorn with the production config on a free local port, and
drives it from client threads for a fixed time: home, post pages,
tag pages and the health check. Prints requests per second and latency percentiles per
page. Stops by itself; touches nothing outside a temporary folder.
"""

import argparse
import http.client
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) bench"
# gunicorn's default access log line, and the time the request took in microseconds.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build_site(folder: Path, posts: int) -> list[str]:
    """Create and fill the database; return the post slugs."""
    os.environ.update(
        BLOG_SECRET_KEY="bench-" + "0" * 32,
        BLOG_DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite3'}",
    )
    from flask_migrate import upgrade

    from blog import create_app
    from blog.core.clock import utcnow
    from blog.extensions import db
    from blog.models import Author, Post, PostStatus, Tag
    from blog.posts.writing import apply_rendering

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        author = Author(name="Dr. Bench", credentials="MD")
        tags = [Tag(name=f"Topic {n}", slug=f"topic-{n}") for n in range(20)]
        db.session.add_all([author, *tags])
        template = Post(title="t", slug="t", body_md=SAMPLE_BODY)
        apply_rendering(template)
        now = utcnow()
        slugs = []
        for number in range(posts):
            slug = f"post-{number}"
            slugs.append(slug)
            post = Post(
                author=author,
                title=f"Benchmark post {number}",
                slug=slug,
                body_md=template.body_md,
                body_html=template.body_html,
                body_text=template.body_text,
                toc=template.toc,
                auto_excerpt=template.auto_excerpt,
                word_count=template.word_count,
                reading_minutes=template.reading_minutes,
                status=PostStatus.PUBLISHED,
                published_at=now.replace(microsecond=0)
                - __import__("datetime").timedelta(hours=number + 1),
                tags=random.Random(number).sample(tags, 3),
            )
            db.session.add(post)
        db.session.commit()
    return slugs


SAMPLE_BODY = "\n\n".join(
    [
        "An introduction paragraph with *emphasis* and a reference.[^1]",
        "## First section\n\n" + "Body text that goes on for a while. " * 40,
        "| Column | Value |\n|---|---:|\n" + "\n".join(f"| Row {n} | {n * 7} |" for n in range(12)),
        "## Second section\n\n" + "More body text with a [link](https://example.org). " * 40,
        "### A detail\n\n- one\n- two\n- three",
        "[^1]: A study. *A Journal*. 2024;1:1-10.",
    ]
)


def worker(port: int, deadline: float, paths: list[str], results: dict, lock: threading.Lock):
    rng = random.Random(threading.get_ident())
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.monotonic() < deadline:
        kind, path = rng.choice(paths)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"User-Agent": BROWSER})
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            status = 0
        elapsed = time.perf_counter() - started
        with lock:
            results.setdefault(kind, []).append((status, elapsed))
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rounds-bench-"))
    server = None
    try:
        slugs = build_site(folder, args.posts)
        port = free_port()
        server = start_server(port, args.workers)
        paths = (
            [("home", "/")] * 3
            + [("home page 5", "/?page=5")]
            + [("post", f"/post/{slug}") for slug in random.Random(1).sample(slugs, 50)] * 1
            + [("tag", "/tag/topic-3")] * 5
            + [("healthz", "/healthz")] * 2
        )
        results: dict[str, list[tuple[int, float]]] = {}
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=worker, args=(port, deadline, paths, results, lock))
            for _ in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report(results, args)
        return 0
    finally:
        stop_server(server)
        shutil.rmtree(folder, ignore_errors=True)


def start_server(port: int, workers: int, log=subprocess.DEVNULL, env=None) -> subprocess.Popen:
    """gunicorn with the production config on 127.0.0.1:``port``, serving the site that
    build_site() made (with ``env`` added to its environment), its access and error logs
    to ``log``; returns once it answers."""
    env = {**os.environ, "BLOG_PUBLIC_CACHE_SECONDS": "0", **(env or {})}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"),
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--access-logformat", ACCESS_LOG_FORMAT, "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(port)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: subprocess.Popen | None) -> None:
    """Stop gunicorn and everything it started (workers, their render processes)."""
    if server is not None and server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def wait_until_up(port: int) -> None:
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def report(results: dict[str, list[tuple[int, float]]], args) -> None:
    total = sum(len(samples) for samples in results.values())
    errors = sum(
        1 for samples in results.values() for status, _ in samples if status >= 500 or status == 0
    )
    setup = f"{args.posts} posts, {args.clients} clients, {args.workers} gunicorn workers"
    print(f"{setup}, {args.seconds:.0f} s")
    print(f"total: {total} requests, {total / args.seconds:.0f} req/s, {errors} errors")
    print(f"{'page':<12} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in sorted(results):
        times = sorted(elapsed * 1000 for _, elapsed in results[kind])
        quantiles = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
        p50, p95, p99 = quantiles[49], quantiles[94], quantiles[98]
        print(f"{kind:<12} {len(times):>9} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f}")


if __name__ == "__main__":
    raise SystemExit(main())
