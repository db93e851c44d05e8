"""Work with a hard ceiling: a function run in a child process that is stopped when it
uses more CPU time or memory than its budget.

Python-Markdown is quadratic, or worse, on some inputs (a run of thousands of "[", deeply
nested lists, thousands of footnotes), and a busy thread cannot be interrupted. So text
from outside is rendered in a child process, forked from a small server process that has
already imported the content pipeline (multiprocessing's "forkserver"): the child costs a
few milliseconds, has its own CPU and memory limits, and is killed when its time is up.

Under gunicorn the children come instead from one render server for the whole site
(start_render_server): a fork of gunicorn's master once it has imported the app, so it
and its children share the master's memory rather than holding an interpreter of their
own. A process without one (the flask command, tests, another server) starts its own
forkserver when it first needs it; so does a worker whose render server has gone.

The budget is CPU time, counted by the child itself: a machine busy with other work slows
a rendering down without refusing it. The request waits for it at most WALL_FACTOR times
as long in wall time, and WALL_SLACK seconds more for starting the child.
"""

import logging
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import select
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

from flask import current_app

log = logging.getLogger(__name__)


class TooComplex(ValueError):
    """The work needed more time or memory than allowed; the message is for the person."""


WALL_FACTOR, WALL_SLACK = 3, 1.0
# How a child ended by its CPU budget exits: SIGPROF (the timer), SIGXCPU (RLIMIT_CPU).
_OUT_OF_CPU = {-signal.SIGPROF, -signal.SIGXCPU}

_context = None
# The render server's socket, set in the process that started it and so known to every
# process forked from that one afterwards (gunicorn's workers).
_server_address: str | None = None
# Signals whose handlers (gunicorn's master's) the render server must not keep.
_MASTER_SIGNALS = ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGWINCH",
                   "SIGTTIN", "SIGTTOU", "SIGCHLD")  # fmt: skip


def _forkserver():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["blog.content"])
    return _context


def start_render_server() -> None:
    """Fork the render server from this process, to serve this process and every process
    forked from it later; it stops once they have all ended. gunicorn's master calls it
    when the app is loaded and before it starts workers (deploy/gunicorn.conf.py)."""
    global _server_address
    folder = tempfile.mkdtemp(prefix="rounds-render-")  # only this user may enter it
    address = os.path.join(folder, "socket")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(address)
    listener.listen(64)
    # Every process that may ask holds the write end; when the last one has ended, the
    # read end sees the end of the pipe and the server stops.
    alive_r, alive_w = os.pipe()
    if os.fork() == 0:
        os.close(alive_w)
        try:
            _serve(listener, alive_r)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            os._exit(0)
    os.close(alive_r)
    listener.close()
    _server_address = address


def _serve(listener: socket.socket, alive_r: int) -> None:
    """The render server's loop: a child forked for each connection, until ``alive_r``
    ends. It keeps each child's connection until the child has ended, to tell the asker
    when its CPU budget ended it."""
    for name in _MASTER_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    woken_r, woken_w = os.pipe()
    os.set_blocking(woken_w, False)
    signal.set_wakeup_fd(woken_w)
    signal.signal(signal.SIGCHLD, lambda _signal, _frame: None)
    children: dict[int, socket.socket] = {}
    while True:
        ready, _, _ = select.select([listener, alive_r, woken_r], [], [])
        if alive_r in ready:
            return
        if woken_r in ready:
            os.read(woken_r, 512)
            _reap(children)
        if listener not in ready:
            continue
        try:
            connection, _ = listener.accept()
        except OSError:
            continue
        try:
            child = os.fork()
        except OSError:  # no room for another process now: the asker is told so
            connection.close()
            continue
        if child == 0:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for other in [listener, *children.values()]:
                other.close()
            for fd in (alive_r, woken_r, woken_w):
                os.close(fd)
            try:
                _serve_one(Connection(connection.detach()))
            finally:
                os._exit(0)
        children[child] = connection


def _reap(children: dict[int, socket.socket]) -> None:
    """Children that have ended: the asker of one ended by its CPU budget is told so."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = children.pop(pid, None)
        if connection is None:
            continue
        asker = Connection(connection.detach())
        try:
            if os.WIFSIGNALED(status) and -os.WTERMSIG(status) in _OUT_OF_CPU:
                asker.send(("out of CPU time", None))
        except OSError:
            pass
        finally:
            asker.close()


def _serve_one(connection: Connection) -> None:
    """In a child of the render server: tell the asker its pid, then do its work."""
    connection.send(os.getpid())
    function, args, seconds, memory = connection.recv()
    _child(connection, function, args, seconds, memory)


def _ask_render_server(function: Callable, args, seconds: float, memory: int, wall: float):
    """The work done by a child of the render server: (status, value), or None when there
    is no render server to ask."""
    deadline = time.monotonic() + wall
    connection = socket.socket(socket.AF_UNIX)
    try:
        connection.connect(_server_address)
    except OSError:
        connection.close()
        log.warning("No render server at %s: this process starts its own", _server_address)
        return None
    child = Connection(connection.detach())
    try:
        if child.poll(wall):
            pid = child.recv()
            child.send((function, args, seconds, memory))
            if child.poll(max(deadline - time.monotonic(), 0)):
                return child.recv()
            os.kill(pid, signal.SIGKILL)  # still working: it has not answered or ended
        return "out of time", None
    except EOFError:  # killed by its CPU or memory limit before it could answer
        return "out of resources", None
    finally:
        child.close()


def _child(connection, function, args, seconds: float, memory: int) -> None:
    # SIGPROF ends it once it has used `seconds` of CPU, its start-up included.
    signal.setitimer(signal.ITIMER_PROF, max(seconds - time.process_time(), 0.001))
    cpu = max(1, int(seconds) + 1)  # and, should that fail, RLIMIT_CPU (whole seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        value = function(*args)
        signal.setitimer(signal.ITIMER_PROF, 0)  # not stopped while it answers
        connection.send(("done", value))
    except (RecursionError, MemoryError):
        connection.send(("too complex", None))
    finally:
        connection.close()


def run_bounded(function: Callable, *args, seconds: float, memory_mb: int | None = None):
    """``function(*args)`` in a child process, or TooComplex when it uses more than
    ``seconds`` of CPU time, takes too long in wall time (see WALL_FACTOR) or needs more
    memory than allowed (RecursionError and MemoryError count as running out).
    ``function`` and its arguments and result must pickle. RENDER_IN_PROCESS runs it
    here, unbounded."""
    config = current_app.config
    if config["RENDER_IN_PROCESS"]:
        try:
            return function(*args)
        except RecursionError:
            raise TooComplex("too deeply nested") from None
    memory = (memory_mb or int(config["RENDER_MEMORY_MB"])) * 1024 * 1024
    wall = seconds * WALL_FACTOR + WALL_SLACK
    if _server_address is not None:
        answer = _ask_render_server(function, args, seconds, memory, wall)
        if answer is None:
            _forget_render_server()
        else:
            return _result(*answer)
    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(sender, function, args, seconds, memory), daemon=True
    )
    process.start()
    sender.close()
    try:
        status, value = receiver.recv() if receiver.poll(wall) else ("out of time", None)
    except EOFError:  # killed by its CPU or memory limit before it could answer
        status, value = "out of resources", None
    finally:
        receiver.close()
        process.kill()
        process.join()
    if status == "out of resources" and process.exitcode in _OUT_OF_CPU:
        status = "out of CPU time"
    return _result(status, value)


def _result(status: str, value):
    if status != "done":
        raise TooComplex(status)
    return value


def _forget_render_server() -> None:
    global _server_address
    _server_address = None
