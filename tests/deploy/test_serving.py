"""The shipped gunicorn worker (blog/core/serving.py, deploy/gunicorn.conf.py's
worker_class): a worker holding a connection for each of its threads leaves a new one to
a sibling for a moment. (How a burst of connections is then shared is a matter of
timing: measured by ``make bench``, not asserted here.)"""

from types import SimpleNamespace

import pytest
from gunicorn.workers.gthread import ThreadWorker

from blog.core import serving


@pytest.fixture
def accepting(monkeypatch):
    """A SpreadingWorker with 4 threads (no process behind it); what it does on accept."""
    done = []
    monkeypatch.setattr(serving.time, "sleep", lambda seconds: done.append(("wait", seconds)))
    monkeypatch.setattr(ThreadWorker, "accept", lambda self, listener: done.append("accept"))
    worker = serving.SpreadingWorker.__new__(serving.SpreadingWorker)
    worker.cfg = SimpleNamespace(threads=4)
    return worker, done


@pytest.mark.parametrize("held", [0, 1, 3])
def test_a_worker_with_a_thread_free_accepts_at_once(accepting, held):
    worker, done = accepting
    worker.nr_conns = held
    worker.accept(listener=None)
    assert done == ["accept"]


@pytest.mark.parametrize("held", [4, 5, 40])
def test_a_worker_with_a_connection_for_each_thread_leaves_a_sibling_time_first(accepting, held):
    worker, done = accepting
    worker.nr_conns = held
    worker.accept(listener=None)
    assert done == [("wait", serving.ACCEPT_DELAY), "accept"]
    assert serving.ACCEPT_DELAY <= 0.001  # a moment: a busy site still accepts quickly
