"""post text last, JSON columns, CHECKs and server defaults, post_media, external-content search

- posts: body_md, body_html, body_text and the table of contents move to the end of the
  row, where listings never read them (SQLite rebuilds the table in that order;
  PostgreSQL keeps its order, as TOAST already stores long text out of line).
  posts.toc_json (Text) becomes posts.toc (JSON), media.variants_json becomes
  media.variant_widths (JSON).
- A CHECK constraint on every enumerated column, and server defaults on the booleans,
  counters and strings with defaults, so a later ADD COLUMN can fill existing rows.
- post_media: the uploaded images each post's text shows, filled from the stored HTML.
- SQLite: search_posts becomes an external-content FTS5 table that reads the text from
  the view search_documents instead of keeping a copy; triggers on posts, post_tags
  and tags keep it in step with every write, whoever makes it.

Later revisions, SQLite: batch mode recreates a table by dropping it, which drops its
triggers, and its rename fails while the view names the table. Before a batch operation
on posts, tags or post_tags, call drop_search_index(); afterwards create_search_index()
(copy both from here, so each revision stays as it was written).

Revision ID: 3c8e51d0a9f7
Revises: 6a5e4c1f0b2d
Create Date: 2026-11-28 09:30:00

"""
import re

from alembic import op
import sqlalchemy as sa


revision = '3c8e51d0a9f7'
down_revision = '6a5e4c1f0b2d'
branch_labels = None
depends_on = None

DISCLAIMER = (
    "This blog offers general health information, not medical advice for your "
    "situation. Talk to your own clinician before making changes to your care. "
    "In an emergency, call your local emergency number."
)
# (column, its type, its default) for each table: the defaults the models declare.
DEFAULTS = {
    'authors': [
        ('credentials', sa.String(160), ''),
        ('job_title', sa.String(160), ''),
        ('bio_md', sa.Text(), ''),
        ('bio_html', sa.Text(), ''),
        ('session_version', sa.Integer(), 1),
    ],
    'posts': [
        ('excerpt', sa.Text(), ''),
        ('auto_excerpt', sa.Text(), ''),
        ('meta_description', sa.String(300), ''),
        ('status', sa.String(16), 'draft'),
        ('featured', sa.Boolean(), False),
        ('sample', sa.Boolean(), False),
        ('reviewed_by', sa.String(160), ''),
        ('medical', sa.Boolean(), False),
        ('audience', sa.String(16), 'patients'),
        ('word_count', sa.Integer(), 0),
        ('reading_minutes', sa.Integer(), 1),
        ('view_count', sa.Integer(), 0),
        ('like_count', sa.Integer(), 0),
        ('comment_count', sa.Integer(), 0),
        ('body_md', sa.Text(), ''),
        ('body_html', sa.Text(), ''),
        ('body_text', sa.Text(), ''),
    ],
    'revisions': [('body_md', sa.Text(), ''), ('kind', sa.String(16), 'save')],
    'post_views': [('count', sa.Integer(), 0)],
    'comments': [
        ('status', sa.String(16), 'pending'),
        ('is_author', sa.Boolean(), False),
        ('hold_reason', sa.String(200), ''),
    ],
    'media': [
        ('original_name', sa.String(255), ''),
        ('alt', sa.String(500), ''),
        ('byte_size', sa.Integer(), 0),
    ],
    'settings': [
        ('singleton', sa.Integer(), 1),
        ('site_title', sa.String(120), 'Rounds'),
        ('tagline', sa.String(200), 'Notes from clinic'),
        ('timezone', sa.String(64), 'UTC'),
        ('about_md', sa.Text(), ''),
        ('about_html', sa.Text(), ''),
        ('disclaimer', sa.Text(), DISCLAIMER),
        ('moderation', sa.String(16), 'hold_first'),
        ('comments_enabled', sa.Boolean(), True),
        ('show_likes', sa.Boolean(), True),
        ('show_views', sa.Boolean(), True),
        ('blocklist', sa.Text(), ''),
        ('same_as', sa.Text(), ''),
    ],
}
CHECKS = {
    'posts': {'status': ('draft', 'published', 'scheduled'), 'audience': ('patients', 'clinicians')},
    'comments': {'status': ('pending', 'approved', 'spam')},
    'revisions': {'kind': ('save', 'autosave', 'restore')},
    'settings': {'moderation': ('hold_all', 'hold_first', 'open')},
    'media': {'format': ('jpeg', 'png')},
}
# (table, old Text column, new JSON column)
JSON_COLUMNS = {'posts': ('toc_json', 'toc'), 'media': ('variants_json', 'variant_widths')}
# SQLite: the order posts is rebuilt in, by the columns' old names (alembic's keys).
POSTS_ORDER = (
    'id', 'author_id', 'title', 'slug', 'excerpt', 'auto_excerpt', 'meta_description',
    'status', 'featured', 'sample', 'published_at', 'last_reviewed', 'reviewed_by', 'medical',
    'audience', 'word_count', 'reading_minutes', 'view_count', 'like_count', 'comment_count',
    'cover_media_id', 'created_at', 'updated_at', 'deleted_at',
    'body_md', 'body_html', 'body_text', 'toc_json',
)
MEDIA_FILE = re.compile(r'/media/([0-9a-f]{20})-\d{1,5}\.(?:webp|jpg|png)')


def server_default(value):
    if isinstance(value, int):  # and bool: true and false are SQL on SQLite too
        return sa.text(str(value).lower())
    return value


def check(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.execute('DROP TABLE search_posts')  # the old index, with its own copy of the text
    for table, (old, _) in JSON_COLUMNS.items():  # the old code read '' as an empty list
        op.execute(f"UPDATE {table} SET {old} = '[]' WHERE {old} = ''")
    for table, columns in DEFAULTS.items():
        options = {}
        if sqlite and table == 'posts':
            options = {'recreate': 'always', 'partial_reordering': [POSTS_ORDER]}
        with op.batch_alter_table(table, **options) as batch_op:
            for name, type_, value in columns:
                batch_op.alter_column(
                    name, existing_type=type_, existing_nullable=False,
                    server_default=server_default(value),
                )
            if table in JSON_COLUMNS:
                old, new = JSON_COLUMNS[table]
                batch_op.alter_column(
                    old, new_column_name=new, type_=sa.JSON(), existing_type=sa.Text(),
                    existing_nullable=False, server_default=sa.text("'[]'"),
                    postgresql_using=f'{old}::json',
                )
            for name, values in CHECKS.get(table, {}).items():
                batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), check(name, values))
    create_post_media()
    if sqlite:
        create_search_index()


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        drop_search_index()
    with op.batch_alter_table('post_media') as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_media_media_id'))
    op.drop_table('post_media')
    for table, columns in DEFAULTS.items():  # posts keeps its new column order
        with op.batch_alter_table(table) as batch_op:
            for name in CHECKS.get(table, {}):
                batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
            for name, type_, _ in columns:
                batch_op.alter_column(
                    name, existing_type=type_, existing_nullable=False, server_default=None
                )
            if table in JSON_COLUMNS:
                old, new = JSON_COLUMNS[table]
                batch_op.alter_column(
                    new, new_column_name=old, type_=sa.Text(), existing_type=sa.JSON(),
                    existing_nullable=False, server_default=None,
                    postgresql_using=f'{new}::text',
                )
    if sqlite:
        op.execute(
            "CREATE VIRTUAL TABLE search_posts USING fts5("
            "title, summary, body, tags, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO search_posts (rowid, title, summary, body, tags)"
            " SELECT id, title, summary, body, tags FROM (" + CONTENT + ")"
        )


# -- Which images each post shows -------------------------------------------------------


def create_post_media():
    op.create_table(
        'post_media',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('media_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['media_id'], ['media.id'], name=op.f('fk_post_media_media_id_media'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['post_id'], ['posts.id'], name=op.f('fk_post_media_post_id_posts'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('post_id', 'media_id', name=op.f('pk_post_media')),
    )
    with op.batch_alter_table('post_media') as batch_op:
        batch_op.create_index(batch_op.f('ix_post_media_media_id'), ['media_id'], unique=False)
    fill_post_media()


def fill_post_media():
    """Record the images each post's stored HTML shows, as saving a post now does."""
    bind = op.get_bind()
    media = dict(bind.execute(sa.text('SELECT name, id FROM media')).all())
    if not media:
        return
    posts = bind.execute(
        sa.text('SELECT id, body_html FROM posts').execution_options(yield_per=200)
    )
    rows = [
        {'post_id': post_id, 'media_id': media[name]}
        for post_id, html in posts
        for name in sorted(set(MEDIA_FILE.findall(html)))
        if name in media
    ]
    if rows:
        bind.execute(
            sa.text('INSERT INTO post_media (post_id, media_id) VALUES (:post_id, :media_id)'),
            rows,
        )


# -- SQLite's search index: external content, kept by triggers --------------------------

# What the index holds for each post, read by FTS5 for highlight(), snippet() and deletes.
CONTENT = """
SELECT posts.id AS id, posts.title AS title,
       CASE WHEN posts.excerpt != '' THEN posts.excerpt ELSE posts.auto_excerpt END AS summary,
       posts.body_text AS body,
       coalesce((SELECT group_concat(tags.name, ' ') FROM tags
                 JOIN post_tags ON post_tags.tag_id = tags.id
                 WHERE post_tags.post_id = posts.id), '') AS tags
FROM posts
"""
# An external-content index must be told what to forget while the content still holds
# what was indexed: so each change is a BEFORE trigger that removes the posts it touches
# (FTS5 reads their old text from the view) and an AFTER trigger that indexes them again.
UNINDEX = 'DELETE FROM search_posts WHERE rowid {};'
REINDEX = (
    'INSERT INTO search_posts (rowid, title, summary, body, tags)'
    ' SELECT id, title, summary, body, tags FROM search_documents WHERE id {};'
)
POST_TEXT = 'title, excerpt, auto_excerpt, body_text'
TAGGED = 'IN (SELECT post_id FROM post_tags WHERE tag_id = {}.id)'
TRIGGERS = {
    'search_posts_insert': ('AFTER INSERT ON posts', REINDEX.format('= new.id')),
    'search_posts_update_before': (
        f'BEFORE UPDATE OF {POST_TEXT} ON posts', UNINDEX.format('= old.id')
    ),
    'search_posts_update_after': (
        f'AFTER UPDATE OF {POST_TEXT} ON posts', REINDEX.format('= new.id')
    ),
    'search_posts_delete': ('BEFORE DELETE ON posts', UNINDEX.format('= old.id')),
    'search_post_tags_insert_before': (
        'BEFORE INSERT ON post_tags', UNINDEX.format('= new.post_id')
    ),
    'search_post_tags_insert_after': ('AFTER INSERT ON post_tags', REINDEX.format('= new.post_id')),
    'search_post_tags_update_before': (
        'BEFORE UPDATE ON post_tags', UNINDEX.format('IN (old.post_id, new.post_id)')
    ),
    'search_post_tags_update_after': (
        'AFTER UPDATE ON post_tags', REINDEX.format('IN (old.post_id, new.post_id)')
    ),
    'search_post_tags_delete_before': (
        'BEFORE DELETE ON post_tags', UNINDEX.format('= old.post_id')
    ),
    'search_post_tags_delete_after': ('AFTER DELETE ON post_tags', REINDEX.format('= old.post_id')),
    'search_tags_update_before': (
        'BEFORE UPDATE OF name ON tags', UNINDEX.format(TAGGED.format('old'))
    ),
    'search_tags_update_after': ('AFTER UPDATE OF name ON tags', REINDEX.format(TAGGED.format('new'))),
    # The foreign key's cascade would remove post_tags rows after the tag is gone, when the
    # view no longer shows what was indexed; removing them first goes through the triggers.
    'search_tags_delete': (
        'BEFORE DELETE ON tags', 'DELETE FROM post_tags WHERE tag_id = old.id;'
    ),
}


def create_search_index():
    op.execute(f'CREATE VIEW search_documents AS {CONTENT}')
    op.execute(
        "CREATE VIRTUAL TABLE search_posts USING fts5("
        "title, summary, body, tags, content = 'search_documents', content_rowid = 'id',"
        " tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    for name, (event, action) in TRIGGERS.items():
        op.execute(f'CREATE TRIGGER {name} {event} BEGIN {action} END')
    op.execute("INSERT INTO search_posts (search_posts) VALUES ('rebuild')")


def drop_search_index():
    for name in TRIGGERS:
        op.execute(f'DROP TRIGGER {name}')
    op.execute('DROP TABLE search_posts')
    op.execute('DROP VIEW search_documents')
