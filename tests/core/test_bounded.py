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


def test_each_gunicorn_worker_starts_its_forkserver_as_it_boots():
    """So the first comment or preview does not wait for it (seconds on a busy machine)."""
    code = (
        "import runpy; from multiprocessing import forkserver; "
        "runpy.run_path('deploy/gunicorn.conf.py')['post_worker_init'](None); "
        "print(forkserver._forkserver._forkserver_pid is not None)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.stdout.strip() == "True", run.stderr
