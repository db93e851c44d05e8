"""The shipped gunicorn worker (blog/core/serving.py, deploy/gunicorn.conf.py's
worker_class) shares kept-alive connections among the workers: a worker holding a
connection for each of its threads leaves a new one to a sibling for a moment, and a
connection is closed after REQUESTS_PER_CONNECTION requests so the client's next one is
spread again. (How evenly a burst of connections is shared is a matter of timing:
measured by ``make bench``, not asserted here.)"""

import http.client
from types import SimpleNamespace

import pytest
from gunicorn.workers.gthread import ThreadWorker

from blog.core import serving
from tests.comments.test_gunicorn import (
    AGENT,
    free_port,
    gunicorn_running,
    server_environment,
)


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


@pytest.mark.slow
def test_a_kept_alive_connection_is_closed_after_its_last_request(app, tmp_path):
    port = free_port()
    env = server_environment(app, tmp_path, ROUNDS_BIND=f"127.0.0.1:{port}")
    arguments = ["-c", "deploy/gunicorn.conf.py", "wsgi:app"]
    with gunicorn_running(arguments, env, f"http://127.0.0.1:{port}"):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            kept = []
            for _ in range(serving.REQUESTS_PER_CONNECTION):
                connection.request("GET", "/robots.txt", headers={"User-Agent": AGENT})
                response = connection.getresponse()
                response.read()
                assert response.status == 200
                kept.append(response.headers["Connection"])
            assert kept == ["keep-alive"] * (serving.REQUESTS_PER_CONNECTION - 1) + ["close"]
            connection.request("GET", "/robots.txt", headers={"User-Agent": AGENT})
            assert connection.getresponse().status == 200  # on a new connection
        finally:
            connection.close()
