"""How long one publish takes to queue a new post's mail for many subscribers.

    make bench-mail                 # or: .venv/bin/python -m bench.mail_queue [--subscribers N]

Makes a migrated SQLite database in a temporary folder with N confirmed subscribers
(2,000 by default) and an author, then times the editor's publish request (the save,
and the one INSERT ... SELECT that queues a mail for every subscriber), through the
Flask test client, three times on fresh posts. Exits 1 if the slowest takes 2 s or more.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=2000)
    count = parser.parse_args().subscribers
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select
    from werkzeug.security import generate_password_hash

    from blog import create_app
    from blog.accounts import sessions
    from blog.extensions import db
    from blog.models import Author, OutboxMail, Subscriber

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SECRET_KEY": "bench-" + "k" * 40,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'blog.sqlite3'}",
                "MEDIA_DIR": str(Path(folder) / "media"),
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "MAIL_SERVER": "127.0.0.1",
            }
        )
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            author = Author(
                name="Dr. Bench", email="bench@example.org",
                password_hash=generate_password_hash("x"),
            )  # fmt: skip
            db.session.add(author)
            rows = [{"email": f"reader{n}@example.org"} for n in range(count)]
            db.session.execute(insert(Subscriber), rows)
            db.session.commit()
            agent = "bench"
            sessions.start(author, False, agent)
            db.session.commit()
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = author.get_id()
            client.get("/admin/")  # start-up work (the render process) is not what is timed
            timings = []
            for number in range(3):
                form = {
                    "title": f"Post {number}", "body": "Some *text*.", "status": "draft",
                    "audience": "patients", "intent": "publish", "email_subscribers": "y",
                }  # fmt: skip
                started = time.perf_counter()
                response = client.post("/admin/posts/new", data=form, headers={"User-Agent": agent})
                timings.append(time.perf_counter() - started)
                assert response.status_code == 303, response.status_code
            queued = db.session.scalar(select(func.count(OutboxMail.id)))
            db.engine.dispose()
    print(f"{count:,} subscribers: publish and queue took "
          + ", ".join(f"{seconds:.3f} s" for seconds in timings)
          + f" ({queued:,} mails queued in all)")  # fmt: skip
    return 0 if max(timings) < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
