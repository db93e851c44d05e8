"""Work with a hard ceiling: a function run in a child process that is stopped when it
uses more CPU time or memory than its budget.

Python-Markdown is quadratic, or worse, on some inputs (a run of thousands of "[", deeply
nested lists, thousands of footnotes), and a busy thread cannot be interrupted. So text
from outside is rendered in a child process, forked from a small server process that has
already imported the content pipeline (multiprocessing's "forkserver"): the child costs a
few milliseconds, has its own CPU and memory limits, and is killed when its time is up.

The budget is CPU time, counted by the child itself: a machine busy with other work slows
a rendering down without refusing it. The request waits for it at most WALL_FACTOR times
as long in wall time, and WALL_SLACK seconds more for starting the child.
"""

import multiprocessing
import multiprocessing.forkserver
import resource
import signal
import time
from collections.abc import Callable

from flask import current_app


class TooComplex(ValueError):
    """The work needed more time or memory than allowed; the message is for the person."""


WALL_FACTOR, WALL_SLACK = 3, 1.0
# How a child ended by its CPU budget exits: SIGPROF (the timer), SIGXCPU (RLIMIT_CPU).
_OUT_OF_CPU = {-signal.SIGPROF, -signal.SIGXCPU}

_context = None


def _forkserver():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["blog.content"])
    return _context


def start_forkserver() -> None:
    """Start the forkserver now, in the background: gunicorn does it as each worker boots,
    so the first comment or preview does not wait while it imports the content pipeline
    (seconds on a busy machine)."""
    _forkserver()
    multiprocessing.forkserver.ensure_running()


def _child(connection, function, args, seconds: float, memory: int) -> None:
    # SIGPROF ends it once it has used `seconds` of CPU, its start-up included.
    signal.setitimer(signal.ITIMER_PROF, max(seconds - time.process_time(), 0.001))
    cpu = max(1, int(seconds) + 1)  # and, should that fail, RLIMIT_CPU (whole seconds)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        connection.send(("done", function(*args)))
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
    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(sender, function, args, seconds, memory), daemon=True
    )
    process.start()
    sender.close()
    wall = seconds * WALL_FACTOR + WALL_SLACK
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
    if status != "done":
        raise TooComplex(status)
    return value
