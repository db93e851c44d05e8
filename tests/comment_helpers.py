"""Helpers for the reader tests: a valid comment form, the page's comment section, a
confirmed like, and a counted view."""

from sqlalchemy import select

from blog.comments import spam
from blog.extensions import db
from blog.models import Comment, Settings
from blog.posts import stats
from blog.public.reader import COOKIE

FAST_FORMS = {"COMMENT_MIN_SECONDS": 0}
# sign_in() ties the session to this User-Agent ("strong" session protection).
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}


def form_data(post, **fields) -> dict:
    """What a person's browser sends: the visible fields, an empty honeypot, a fresh start."""
    data = {
        "name": "Linda",
        "email": "",
        "body": "Thank you, this helped.",
        "parent_id": "",
        "website": "",
        "started": spam.form_token(post.id),
    }
    data.update(fields)
    return data


def post_comment(client, post, **fields):
    url = f"/post/{post.slug}/comments"
    return client.post(url, data=form_data(post, **fields), headers=BROWSER)


def comments(**where) -> list[Comment]:
    query = select(Comment).order_by(Comment.id)
    for key, value in where.items():
        query = query.where(getattr(Comment, key) == value)
    db.session.expire_all()
    return list(db.session.scalars(query))


def change_settings(**values) -> Settings:
    settings = Settings.current()
    for key, value in values.items():
        setattr(settings, key, value)
    db.session.add(settings)
    db.session.commit()
    return settings


def comments_section(page: str) -> str:
    start = page.index('<section class="comments"')
    return page[start : page.index("</section>", start)]


def reader_cookie(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def like_twice(client, slug: str, **kwargs):
    """A browser's first press gets the reader cookie; the second one counts."""
    client.post(f"/post/{slug}/like", **kwargs)
    return client.post(f"/post/{slug}/like", **kwargs)


def see(client, slug: str, headers=BROWSER, **kwargs):
    """What the post page's script sends once the page has loaded."""
    return client.post(f"/post/{slug}/seen", headers=headers, **kwargs)


def write_views() -> int:
    """Write the views counted so far, as the app's writer thread would."""
    return stats.flush_views()
