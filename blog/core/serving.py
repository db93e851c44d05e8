"""gunicorn's threaded worker, made to leave new connections to an idle sibling.

gunicorn's workers share one listening socket, and the first to call ``accept`` gets the
connection: often the worker that is already busy, since it is awake. Clients that keep
their connections open (nginx's upstream connections, wrk in the bench) could so all
end up on one worker while the other's threads idled, and stay there.

``SpreadingWorker`` (deploy/gunicorn.conf.py's ``worker_class``) waits a moment
(``ACCEPT_DELAY``) before accepting a connection when it already holds one for each of
its threads (counting kept-alive ones that are idle), so a sibling with a thread free, if
there is one, takes it first; with none free, it accepts after the wait. The wait holds
the worker's event loop, so a worker that is full accepts at most about 2,000 new
connections a second; behind nginx, whose connections to gunicorn are kept alive (and
renewed after 1,000 requests, nginx's ``keepalive_requests``), new ones are few. When
every worker holds a connection for each thread, all of them wait alike, and connections
fall where they fall, as without it.
"""

import time

from gunicorn.workers.gthread import ThreadWorker

ACCEPT_DELAY = 0.0005  # seconds: long enough for an idle sibling to wake and accept


class SpreadingWorker(ThreadWorker):
    """gunicorn's gthread worker that leaves new connections to less busy siblings."""

    def accept(self, listener):
        if self.nr_conns >= self.cfg.threads:
            time.sleep(ACCEPT_DELAY)  # a sibling may take it meanwhile: accept then fails
        super().accept(listener)
