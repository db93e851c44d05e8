"""gunicorn's threaded worker, made to share connections with its siblings.

gunicorn's workers all accept from one listening socket, and the first to call accept
gets the connection: often the worker that is already busy, since it is awake. Clients
that keep their connections open (nginx's upstream connections, a browser) can so all end
up on one worker while the other's threads idle, and stay there. ``SpreadingWorker``
(deploy/gunicorn.conf.py's ``worker_class``) changes two things:

- a worker that already holds a connection for each of its threads waits a moment
  (``ACCEPT_DELAY``) before it accepts another, so an idle sibling, if there is one, takes
  it first; with no sibling free it accepts it after the wait;
- a kept-alive connection is closed after ``REQUESTS_PER_CONNECTION`` requests (the last
  one answered with ``Connection: close``, as nginx's ``keepalive_requests`` does), so the
  client's next connection is spread again. After a worker restarts (``max_requests``)
  its clients have moved to the others; this moves some back.
"""

import time

from gunicorn.workers.gthread import ThreadWorker

ACCEPT_DELAY = 0.0005  # seconds: long enough for an idle sibling to wake and accept
REQUESTS_PER_CONNECTION = 200


class SpreadingWorker(ThreadWorker):
    """gunicorn's gthread worker that leaves new connections to less busy siblings."""

    def accept(self, listener):
        if self.nr_conns >= self.cfg.threads:
            time.sleep(ACCEPT_DELAY)  # a sibling may take it meanwhile: accept then fails
        super().accept(listener)

    def handle_request(self, req, conn):
        if req.req_number >= REQUESTS_PER_CONNECTION:
            req.must_close = True
        return super().handle_request(req, conn)
