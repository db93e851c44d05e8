"""Render budget: what each hostile text costs at its size cap, through the bounded path.

    make bench-render        # or: .venv/bin/python -m bench.render_budget [--json out.json]

Every family of bench.hostile is rendered as a comment of 5,000 characters (the comment
form's path: moderation.render_body, within COMMENT_RENDER_SECONDS) and as a post at
MAX_POST_KB (the editor's path: writing.render_text, within POST_RENDER_SECONDS), with
the sample posts and comments beside them for comparison. For each: the outcome (rendered,
or refused and why), the CPU time of the rendering process (as the forkserver that reaped
it accounts it, in ticks of 10 ms) and the wall time the request waited, against the
budgets of issue 10: 200 ms of CPU for a comment, 2 s for a post at the cap. Prints
Markdown tables (and exits with 1 when any text went over its budget); stops by itself;
touches nothing outside a temporary folder.

Only the standard library is imported at the top: each rendering process imports this
module again before it starts, and should cost what it costs under gunicorn.
"""

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BUDGET_MS = {"comment": 200, "post": 2000}
# The kernel counts CPU time, and checks a process's CPU timer, once a tick: a process
# stopped at its budget shows up to a tick more.
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    """Seconds of CPU used by the forkserver's finished children (the renderings)."""
    from multiprocessing import forkserver

    pid = forkserver._forkserver._forkserver_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime + cstime


def measure(render, text: str) -> dict:
    """Render ``text`` once; the outcome, and the milliseconds of CPU the rendering process
    used (in all, its start-up included) and of wall time the request waited."""
    from blog.core.bounded import TooComplex

    cpu, wall = children_cpu(), time.perf_counter()
    try:
        render(text)
        outcome = "rendered"
    except TooComplex as refusal:
        outcome = f"refused ({refusal})"
    wall, cpu = time.perf_counter() - wall, round((children_cpu() - cpu) * 1000, 1)
    return {"size": len(text), "outcome": outcome, "cpu_ms": cpu, "wall_ms": wall * 1000}


def texts(kind: str, cap: int, only: set[str]) -> list[tuple[str, str]]:
    """(name, text) for every hostile family at ``cap``, then ordinary writing."""
    from bench import hostile

    chosen = [(name, hostile.hostile(name, cap)) for name in hostile.FAMILIES if name in only]
    if kind == "comment":
        samples = hostile.sample_comments()
        ordinary = [("longest sample comment", max(samples, key=len))]
    else:
        samples = list(hostile.sample_posts().values())
        ordinary = [("longest sample post", max(samples, key=len))]
    ordinary.append((f"sample {kind}s, repeated to the cap", hostile.ordinary(samples, cap)))
    return chosen + ordinary


def run(only: set[str]) -> dict:
    from bench.hostile import COMMENT_CAP, POST_CAP
    from blog.comments.moderation import render_body
    from blog.posts.writing import render_text

    renderers = {"comment": render_body, "post": lambda text: render_text(text, {})}
    caps = {"comment": COMMENT_CAP, "post": POST_CAP}
    render_body("Warm-up: starts the forkserver.")
    rows = []
    for kind in ("comment", "post"):
        for name, text in texts(kind, caps[kind], only):
            row = {"kind": kind, "text": name, **measure(renderers[kind], text)}
            row["within_budget"] = row["cpu_ms"] <= BUDGET_MS[kind] + TICK_MS
            rows.append(row)
            print(f"  {kind} {name}: {row['outcome']}, {row['cpu_ms']:.0f} ms", file=sys.stderr)
    return {"rows": rows}


def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {"cpus": os.cpu_count(), "cpu": model, "python": platform.python_version()}


def report(result: dict) -> str:
    config = result["config"]
    seconds = {"comment": config["COMMENT_RENDER_SECONDS"], "post": config["POST_RENDER_SECONDS"]}
    lines = [
        f"{result['machine']['cpus']} × {result['machine']['cpu']}, Python "
        f"{result['machine']['python']}, {result['date']}",
    ]
    for kind, title in (("comment", "Comments"), ("post", "Posts")):
        lines += [
            "",
            f"{title} (budget {BUDGET_MS[kind]:,} ms of CPU, counted in ticks of "
            f"{TICK_MS:.0f} ms; {kind.upper()}_RENDER_SECONDS = {seconds[kind]}):",
            "",
            "| text | characters | outcome | CPU ms | wall ms | within budget |",
            "| --- | ---: | --- | ---: | ---: | --- |",
        ]
        for row in result["rows"]:
            if row["kind"] == kind:
                lines.append(
                    f"| {row['text']} | {row['size']:,} | {row['outcome']} | "
                    f"{row['cpu_ms']:,.0f} | {row['wall_ms']:,.0f} | "
                    f"{'yes' if row['within_budget'] else '**no**'} |"
                )
    return "\n".join(lines)


def main() -> int:
    from bench.hostile import FAMILIES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(FAMILIES), default=sorted(FAMILIES), metavar="NAME"
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="rounds-render-"))
    try:
        from blog import create_app

        app = create_app(
            {
                "SECRET_KEY": "bench-" + "0" * 32,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'render.sqlite3'}",
                "MEDIA_DIR": str(folder / "media"),
            }
        )
        with app.app_context():
            result = run(set(args.only))
        names = ("COMMENT_RENDER_SECONDS", "POST_RENDER_SECONDS", "RENDER_MEMORY_MB")
        result.update(
            config={name: app.config[name] for name in names},
            machine=machine(),
            date=date.today().isoformat(),
            budget_ms=BUDGET_MS,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if all(row["within_budget"] for row in result["rows"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
