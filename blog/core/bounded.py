"""Work with a hard ceiling: a function run in a child process that is stopped when it
uses more CPU time or memory than its budget.

Python-Markdown is quadratic, or worse, on some inputs (a run of thousands of "[", deeply
nested lists, thousands of footnotes), and a busy thread cannot be interrupted. So text
from outside is rendered in a child process, forked from a small server process that has
already imported the content pipeline (multiprocessing's "forkserver"): the child costs a
few milliseconds, has its own CPU and memory limits, and is killed when its time is up.
"""

import multiprocessing
import resource
from collections.abc import Callable

from flask import current_app


class TooComplex(ValueError):
    """The work needed more time or memory than allowed; the message is for the person."""


_context = None


def _forkserver():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["blog.content"])
    return _context


def _child(connection, function, args, seconds: float, memory: int) -> None:
    cpu = max(1, int(seconds) + 1)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        connection.send(("done", function(*args)))
    except (RecursionError, MemoryError):
        connection.send(("too complex", None))
    finally:
        connection.close()


def run_bounded(function: Callable, *args, seconds: float, memory_mb: int | None = None):
    """``function(*args)`` in a child process, or TooComplex when it runs out of time or
    memory (RecursionError and MemoryError count as running out). ``function`` and its
    arguments and result must pickle. RENDER_IN_PROCESS runs it here, unbounded."""
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
    try:
        result = receiver.recv() if receiver.poll(seconds) else ("out of time", None)
    except EOFError:  # killed by its CPU or memory limit before it could answer
        result = ("out of resources", None)
    finally:
        receiver.close()
        process.kill()
        process.join()
    status, value = result
    if status != "done":
        raise TooComplex(status)
    return value
