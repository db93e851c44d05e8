"""gunicorn settings for a small VPS (1 vCPU, 1 GB RAM) behind nginx.

gunicorn -c deploy/gunicorn.conf.py wsgi:app
"""

import gc
import os

bind = os.environ.get("ROUNDS_BIND", "127.0.0.1:8000")
# Two workers with a few threads each: pages are quick, SQLite writes are short.
workers = int(os.environ.get("ROUNDS_WORKERS", "2"))
threads = int(os.environ.get("ROUNDS_THREADS", "4"))
# gunicorn's gthread worker, made to leave a new connection to a worker with a thread
# free (blog/core/serving.py): without it kept-alive connections could all end up on one
# worker while the other idled.
worker_class = "blog.core.serving.SpreadingWorker"
timeout = 30
graceful_timeout = 20
# nginx keeps connections to gunicorn open between requests (deploy/nginx.conf closes
# its idle ones after 4 s, before gunicorn closes them after 5 s).
keepalive = 5
# The app is imported once, by the master, and each worker is a fork of it: the workers
# share its memory (copy-on-write) and a new worker starts in milliseconds. So the code
# is read only when the master starts: after new code, `systemctl restart rounds` (as
# deploy/upgrade.sh does); a reload (HUP) starts new workers from the code already loaded.
preload_app = True
# Recycle workers now and then so memory stays flat on a 1 GB machine. Not too often, and
# not both at once: a flood of cheap refusals (429, 413) reached 2,000 requests a worker in
# 22 s and would restart both within a second.
max_requests = 20000
max_requests_jitter = 10000
# One line a request: the reader's address (from nginx's X-Forwarded-For, see
# PROXY_COUNT), the request, status, size, duration in milliseconds and the request id
# that the response carries as X-Request-Id (nginx's own, so both logs name it).
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms id=%({x-request-id}o)s "%(a)s"'
errorlog = "-"
forwarded_allow_ips = "127.0.0.1"
# The scheme comes from the one header nginx sets (X-Forwarded-Proto, replacing the
# client's). gunicorn's default also reads X-Forwarded-Ssl and X-Forwarded-Protocol,
# which nginx passes through as the client sent them: a contradicting one got a 400.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# No control socket: nothing uses it (systemd starts, reloads and stops the server), and
# the sandboxed unit gives the service no writable home to put it in.
control_socket_disable = True


def pre_fork(server, worker):
    """Move what the master holds (the imported app) out of the garbage collector's sight,
    so a collection in a worker never writes to those shared pages."""
    gc.freeze()


def worker_exit(server, worker):
    """Write the views this worker has counted but not written yet (blog.posts.stats)."""
    from blog.posts import stats

    stats.close_all()


def when_ready(server):
    """Start the site's render server (blog.core.bounded): a fork of this master with the
    app loaded, which forks a child with CPU and memory limits for each comment or preview
    that renders, for every worker."""
    from blog.core.bounded import start_render_server

    gc.freeze()
    start_render_server()
