"""The bounded renderer's budget is CPU time, counted by the child: work past it is stopped
there, and a machine busy with other work (a wait, to the child) slows it down without
refusing it."""

import subprocess
import sys
import time

import pytest

from bench.render_budget import children_cpu
from blog.core import bounded
from blog.core.bounded import TooComplex, run_bounded
from tests.conftest import ROOT

FOREVER = range(10**15)  # sum() of it keeps a CPU busy for days


def test_work_past_its_cpu_budget_is_stopped_at_the_budget(app, monkeypatch):
    monkeypatch.setattr(bounded, "WALL_FACTOR", 30)  # however busy the machine running this
    run_bounded(sum, range(10), seconds=0.2)  # the forkserver is running from here on
    before = children_cpu()  # the CPU time of its finished children, as it accounts it
    with pytest.raises(TooComplex, match="out of CPU time"):
        run_bounded(sum, FOREVER, seconds=0.3)
    assert 0.2 <= children_cpu() - before <= 0.45  # accounted in ticks of 10 ms


def test_a_wait_is_not_work_it_ends_within_the_wall_limit(app):
    assert run_bounded(time.sleep, 0.5, seconds=0.2) is None
    started = time.monotonic()
    with pytest.raises(TooComplex, match="out of time"):
        run_bounded(time.sleep, 60, seconds=0.2)
    assert time.monotonic() - started < 0.2 * bounded.WALL_FACTOR + bounded.WALL_SLACK + 2


def test_quick_work_comes_back(app):
    assert run_bounded(sum, range(1000), seconds=0.2) == 499500


RENDER_SERVER = """
import os, sys, time
from multiprocessing import forkserver
from blog import create_app
from blog.content import render_comment
from blog.core import bounded
app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "MEDIA_DIR": sys.argv[1],
                  "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1] + "/db"})
bounded.WALL_FACTOR = 30  # however busy the machine running this
bounded.start_render_server()
with app.app_context():
    print(bounded.run_bounded(render_comment, "Take *two* a day.", seconds=1).strip())
    for work in [(sum, range(10**15)), (bytearray, 10**9)]:
        try:
            bounded.run_bounded(*work, seconds=0.3)
        except bounded.TooComplex as refused:
            print(refused)
    bounded.WALL_FACTOR = 1
    try:
        bounded.run_bounded(time.sleep, 60, seconds=0.2)
    except bounded.TooComplex as refused:
        print(refused)
    print("own forkserver:", forkserver._forkserver._forkserver_pid is not None)
    os.unlink(bounded._server_address)  # the render server gone: this process starts its own
    print(bounded.run_bounded(render_comment, "Still *here*.", seconds=1).strip())
    print("own forkserver:", forkserver._forkserver._forkserver_pid is not None)
"""


def test_the_render_server_forked_from_the_loaded_app_works_within_the_same_limits(tmp_path):
    """gunicorn's master starts it once (deploy/gunicorn.conf.py's when_ready) and every
    worker asks it; a process that finds it gone starts its own forkserver."""
    run = subprocess.run(
        [sys.executable, "-c", RENDER_SERVER, str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.stdout.splitlines() == [
        "<p>Take <em>two</em> a day.</p>",
        "out of CPU time",
        "too complex",  # the memory limit
        "out of time",
        "own forkserver: False",
        "<p>Still <em>here</em>.</p>",
        "own forkserver: True",
    ], run.stderr


def test_gunicorn_starts_one_render_server_for_its_workers():
    """With the app preloaded, the master forks it before the workers, so they share it."""
    code = (
        "import runpy; from multiprocessing import forkserver; from blog.core import bounded; "
        "runpy.run_path('deploy/gunicorn.conf.py')['when_ready'](None); "
        "print(bounded._server_address is not None, forkserver._forkserver._forkserver_pid)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.stdout.strip() == "True None", run.stderr
