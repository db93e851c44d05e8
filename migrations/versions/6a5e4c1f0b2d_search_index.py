"""full-text search index

SQLite: an FTS5 table of each post's title, summary, body text and tags, filled for the
posts that exist; blog/search.py keeps it in step on every flush. PostgreSQL: a GIN
index on the tsvector expression blog.posts.search.document_vector() searches.

Revision ID: 6a5e4c1f0b2d
Revises: 0001
Create Date: 2026-11-27 04:40:00

"""
from alembic import op


revision = '6a5e4c1f0b2d'
down_revision = '0001'
branch_labels = None
depends_on = None

SQLITE_REBUILD = """
INSERT INTO search_posts (rowid, title, summary, body, tags)
SELECT posts.id, posts.title,
       CASE WHEN posts.excerpt != '' THEN posts.excerpt ELSE posts.auto_excerpt END,
       posts.body_text,
       coalesce((SELECT group_concat(tags.name, ' ') FROM tags
                 JOIN post_tags ON post_tags.tag_id = tags.id
                 WHERE post_tags.post_id = posts.id), '')
FROM posts
"""

PG_DOCUMENT = (
    "to_tsvector('english'::regconfig, title || ' ' || excerpt || ' ' || auto_excerpt"
    " || ' ' || body_text)"
)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute(
            "CREATE VIRTUAL TABLE search_posts USING fts5("
            "title, summary, body, tags, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        op.execute(SQLITE_REBUILD)
    elif dialect == 'postgresql':
        op.execute(f"CREATE INDEX ix_posts_search ON posts USING gin ({PG_DOCUMENT})")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute("DROP TABLE search_posts")
    elif dialect == 'postgresql':
        op.execute("DROP INDEX ix_posts_search")
