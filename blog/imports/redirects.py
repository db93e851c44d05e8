"""Old addresses of imported posts: where a path the old site used leads now.

WordPress addresses (/2019/03/05/slug/, /?p=12, /?page_id=7, any permalink) and Ghost's
(/slug/) are stored as path redirects; Wix's /post/<slug> is this blog's own shape, and
a slug that had to change is an ordinary slug redirect.
"""

from collections.abc import Mapping

from blog.extensions import db
from blog.imports.sources import old_path
from blog.models import PathRedirect, Post

# WordPress's addresses by id: /?p=12 for posts, /?page_id=7 for pages.
QUERY_KEYS = ("p", "page_id")


def lookup_key(path: str, args: Mapping[str, str]) -> str:
    """The stored form of a requested address."""
    if path == "/":
        for key in QUERY_KEYS:
            value = (args.get(key) or "").strip()
            if value.isdigit():
                return f"/?{key}={int(value)}"
        return "/"
    return old_path(path)


def moved(path: str, args: Mapping[str, str]) -> tuple[Post | None, str] | None:
    """(post, "") or (None, path here) for an old address, or None when it is not one."""
    key = lookup_key(path, args)
    if key == "/" or len(key) > 500 or "\x00" in key:  # no stored address has a NUL
        return None
    found = db.session.get(PathRedirect, key)
    if found is None:
        return None
    if found.post_id is not None:
        post = db.session.get(Post, found.post_id)
        return (post, "") if post is not None else None
    return None, found.target
