"""Full-text search of public posts: SQLite FTS5, or PostgreSQL's own full-text search.

On SQLite the ``search_posts`` FTS5 table indexes each post's title, summary, body text
and tag names under the post's id. It keeps no copy of the text: it reads it from the
view ``search_documents`` for snippets, and triggers on posts, post_tags and tags keep
it in step with every write (all made by a migration, not models). Visibility is never
stored in the index: results are joined to ``posts`` and filtered with
``Post.is_public()`` when the query runs, so a scheduled post turns up when its time comes
and a trashed one disappears at once.

Readers' text never reaches the query language raw: it is split into words, each word
becomes a quoted FTS5 string (a quoted tsquery lexeme on PostgreSQL), and the last one
matches as a prefix (unless it is a single letter, as in "vitamin d": as a prefix it
would stand for most of the index). Both indexes hold stems ("walking" is stored as
"walk"), so a half-typed last word such as "walki" is not a prefix of anything stored: it
also matches as each word it could be finishing ("walking", "walkie"...), which the
database stems the same way it stemmed the posts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup, escape
from sqlalchemy import (
    DateTime,
    Integer,
    String,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    union_all,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select

from blog.content import typographic
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Post, PostStatus, Tag, post_tags

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
PER_PAGE = 10
# Private-use characters mark highlights until the text is escaped; then they become <mark>.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
_MARKED = re.compile(f"{MARK_OPEN}([^{MARK_OPEN}{MARK_CLOSE}]*){MARK_CLOSE}")
# Letters and digits: the index splits words at everything else, the underscore too.
_WORD = re.compile(r"[^\W_]+")
# Endings the English stemmers take off; a half-typed last word that stops inside one
# (walki, sleepin, hypertensi) is also sought as the whole word.
ENDINGS = (
    "ing", "ion", "ions", "ation", "ness", "ment", "ies", "ied", "ity", "ive", "ous",
    "able", "ible", "ence", "ance", "ful", "ism", "ist", "ize", "ise", "ed", "es", "ly",
)  # fmt: skip
MIN_COMPLETED_CHARS = 4
# A shorter last word ("vitamin d") matches as a whole word, not as a prefix.
MIN_PREFIX_CHARS = 2
# bm25 weights per column (title, summary, body, tags): a title match ranks first.
BM25_WEIGHTS = (10.0, 3.0, 1.0, 5.0)
# A literal, not a bound parameter, so PostgreSQL can match the migration's GIN index.
PG_CONFIG = literal_column("'english'::regconfig")
# The FTS5 table, made by a migration; not a model, so Alembic's comparison ignores it.
SEARCH_TABLE = table("search_posts", column("rowid"))


# -- Queries ----------------------------------------------------------------------------


def search_terms(raw: str | None) -> list[str]:
    """The words of a reader's query, at most MAX_TERMS, from its first MAX_QUERY_CHARS."""
    cleaned = (raw or "")[:MAX_QUERY_CHARS]
    cleaned = cleaned.encode("utf-8", "replace").decode("utf-8")  # drop lone surrogates
    cleaned = unicodedata.normalize("NFKC", cleaned)  # "ﬁbre" as typed is "fibre"
    return _WORD.findall(cleaned)[:MAX_TERMS]


def completions(word: str) -> list[str]:
    """The whole words a half-typed word may be finishing: "walki" gives "walking"
    (among others), "hypertensi" gives "hypertension"; a short word gives none."""
    if len(word) < MIN_COMPLETED_CHARS:
        return []
    lowered = word.lower()
    found = []
    for ending in ENDINGS:
        for cut in range(1, len(ending)):
            if lowered.endswith(ending[:cut]) and len(word) - cut >= MIN_COMPLETED_CHARS - 1:
                candidate = word + ending[cut:]
                if candidate not in found:
                    found.append(candidate)
    return found


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH string: each term a quoted string, the last one a prefix or one of
    the words it may be finishing."""

    def quote(term: str) -> str:
        return '"' + term.replace('"', '""') + '"'

    quoted = [quote(term) for term in terms]
    if quoted and len(terms[-1]) >= MIN_PREFIX_CHARS:
        last = [quoted[-1] + "*"] + [quote(word) for word in completions(terms[-1])]
        quoted[-1] = last[0] if len(last) == 1 else "(" + " OR ".join(last) + ")"
    return " AND ".join(quoted)


def tsquery_text(terms: list[str]) -> str:
    """A to_tsquery string: quoted lexemes joined by &, the last one a prefix or one of
    the words it may be finishing."""

    def quote(term: str) -> str:
        return "'" + term.replace("'", "''").replace("\\", "\\\\") + "'"

    quoted = [quote(term) for term in terms]
    if quoted and len(terms[-1]) >= MIN_PREFIX_CHARS:
        last = [quoted[-1] + ":*"] + [quote(word) for word in completions(terms[-1])]
        quoted[-1] = last[0] if len(last) == 1 else "(" + " | ".join(last) + ")"
    return " & ".join(quoted)


def highlight(marked: str | None) -> Markup:
    """Escape text carrying highlight markers, then turn the markers into <mark>."""
    escaped = str(escape(marked or ""))
    escaped = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return Markup(escaped.replace(MARK_OPEN, "").replace(MARK_CLOSE, ""))


@dataclass
class Result:
    post: Post
    title: Markup
    snippet: Markup


class SearchPage(Pagination):
    """A page of public posts matching a reader's text, best first (Flask-SQLAlchemy's
    Pagination over the full-text query: past the end is 404); ``query``: the words sought."""

    failed = False  # the query failed: the page says so, and is kept nowhere

    def __init__(self, raw: str | None, page: int = 1):
        terms = search_terms(raw)
        self.query = " ".join(terms)
        if db.engine.dialect.name == "postgresql":
            queries = (*_postgresql_queries(), {"match": tsquery_text(terms)})
        else:
            queries = (*_sqlite_queries(), {"match": fts5_query(terms)})
        super().__init__(page=page, per_page=PER_PAGE, queries=queries if terms else ())

    def _query_items(self) -> list[Result]:
        if not self.query:
            return []
        rows, _count, values = self._query_args["queries"]
        values = {**values, "now": utcnow(), "limit": self.per_page, "offset": self._query_offset}
        try:
            return [_result(*row) for row in db.session.execute(rows, values)]
        except DBAPIError:
            # Terms are quoted, so this is not expected; a reader still gets a page, not a 500.
            db.session.rollback()
            current_app.logger.exception("Search failed for %r", self.query)
            self.failed = True
            return []

    def _query_count(self) -> int:
        if len(self.items) < self.per_page:  # the last page: its items say how many
            return self._query_offset + len(self.items)
        _rows, count, values = self._query_args["queries"]
        return db.session.scalar(count, {**values, "now": utcnow()})


# The queries are built once (SQL construction costs more than SQLite's work on a small
# site) and take the reader's words, the time and the page as parameters.
MATCH, NOW = bindparam("match", type_=String), bindparam("now", type_=DateTime)
LIMIT, OFFSET = bindparam("limit", type_=Integer), bindparam("offset", type_=Integer)


@cache
def _sqlite_queries() -> tuple[Select, Select]:
    """The ranked (post, title, snippet) rows of a page, and their count.

    FTS5 ranks the matches itself (``ORDER BY rank``, bm25 with BM25_WEIGHTS): it scores
    and sorts them in one pass over the index, and SQLite then reads ``posts`` and makes
    highlights only for the rows of the page (and those of the pages before it that it
    skips), not for every match. The count reads the index alone, less the few posts
    readers may not see."""
    fts = literal_column("search_posts")
    match = fts.op("MATCH")(MATCH)
    weights = ", ".join(str(weight) for weight in BM25_WEIGHTS)
    ranked = literal_column("search_posts.rank").op("MATCH")(literal(f"bm25({weights})"))
    rows = (
        select(
            Post,
            func.highlight(fts, 0, MARK_OPEN, MARK_CLOSE),
            func.snippet(fts, 2, MARK_OPEN, MARK_CLOSE, "…", 32),
        )
        .select_from(SEARCH_TABLE)
        .join(Post, Post.id == SEARCH_TABLE.c.rowid)
        .where(match, ranked, Post.is_public(NOW))
        .order_by(literal_column("search_posts.rank"))
        .limit(LIMIT)
        .offset(OFFSET)
    )
    count = (
        select(func.count())
        .select_from(SEARCH_TABLE)
        .where(match, SEARCH_TABLE.c.rowid.not_in(hidden_posts()))
    )
    return rows, count


def hidden_posts() -> Select:
    """The ids of the posts readers may not see: every post but those ``Post.is_public()``
    selects, each part read from an index (there are few of them, so a count of matches
    can leave them out instead of reading every match's row)."""
    shown = (PostStatus.PUBLISHED, PostStatus.SCHEDULED)
    return union_all(
        select(Post.id).where(Post.deleted_at.is_not(None)),
        select(Post.id).where(Post.status.in_([s for s in PostStatus if s not in shown])),
        select(Post.id).where(Post.status.in_(shown), Post.published_at.is_(None)),
        select(Post.id).where(Post.status.in_(shown), Post.published_at > NOW),
    )


@cache
def _postgresql_queries() -> tuple[Select, Select]:
    """The ranked (post, title, snippet) rows of a page, and their count."""
    query = func.to_tsquery(PG_CONFIG, MATCH)
    tag_match = (
        select(post_tags.c.post_id)
        .join(Tag, Tag.id == post_tags.c.tag_id)
        .where(func.to_tsvector(PG_CONFIG, Tag.name).op("@@")(query))
    )
    matches = document_vector().op("@@")(query) | Post.id.in_(tag_match)
    where = (matches, Post.is_public(NOW))
    weighted = (
        _weighted(Post.title, "A")
        .op("||")(_weighted(_summary_column(), "B"))
        .op("||")(_weighted(Post.body_text, "D"))
    )
    options = f"StartSel={MARK_OPEN}, StopSel={MARK_CLOSE}"
    rows = (
        select(
            Post,
            func.ts_headline(PG_CONFIG, Post.title, query, options + ", HighlightAll=true"),
            func.ts_headline(
                PG_CONFIG, Post.body_text, query, options + ", MaxWords=35, MinWords=15"
            ),
        )
        .where(*where)
        .order_by(func.ts_rank(weighted, query).desc(), Post.published_at.desc())
        .limit(LIMIT)
        .offset(OFFSET)
    )
    count = select(func.count(Post.id)).where(*where)
    return rows, count


def _weighted(column, weight: str):
    return func.setweight(func.to_tsvector(PG_CONFIG, column), literal_column(f"'{weight}'"))


def _summary_column():
    return func.coalesce(func.nullif(Post.excerpt, ""), Post.auto_excerpt)


def document_vector():
    """The PostgreSQL document searched (the migration indexes this exact expression)."""
    return literal_column(
        "to_tsvector('english'::regconfig, posts.title || ' ' || posts.excerpt || ' ' "
        "|| posts.auto_excerpt || ' ' || posts.body_text)"
    )


def _result(post: Post, title: str | None, snippet: str | None) -> Result:
    body = highlight(snippet)
    if not body.striptags().strip():
        body = Markup(escape(post.summary))
    heading = highlight(typographic(title or post.title))
    return Result(post=post, title=heading, snippet=body)
