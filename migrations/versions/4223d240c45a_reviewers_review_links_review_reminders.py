"""reviewers, review links, review reminders; sample posts back with the sample profile

- reviewers: who medically reviewed a post (name, credentials, profile URL), or an author
  of the blog (author_id), whose name and credentials then follow her profile.
  posts.reviewed_by (free text) becomes posts.reviewer_id: each distinct text becomes a
  reviewer ("Dr. Sam Lee, MD" gives the name "Dr. Sam Lee" and the credentials "MD"), and
  a post with a review date but no reviewer named, which pages showed as "Medically
  reviewed by" its author, gets its author as the reviewer, so readers see the same line
  and the structured data now says it too.
- review_links: private links to a post for a reviewing colleague (the token's SHA-256).
- settings.review_after_months: the dashboard's review reminders (12 months).
- revisions.kind may be 'review' ("Reviewed today" on the dashboard).
- Sample posts that setup had handed to the author (never edited: still flagged
  sample) go back to a sample profile, so they no longer show her name.

SQLite: the batch operations on posts drop and recreate the search view and triggers
(copied from revision 3c8e51d0a9f7).

Revision ID: 4223d240c45a
Revises: 268b05d124c2
Create Date: 2026-12-01 14:50:26

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '4223d240c45a'
down_revision = '268b05d124c2'
branch_labels = None
depends_on = None

SAMPLE_AUTHOR = {
    'name': 'Dr. Maya Okafor',
    'credentials': 'MD, Internal Medicine',
    'job_title': 'Internal medicine physician',
    'bio_md': (
        "Dr. Maya Okafor is a fictional profile that comes with Rounds' sample posts. "
        'She is not a real physician, and nothing in the sample posts is medical advice.'
    ),
    'bio_html': (
        "<p>Dr. Maya Okafor is a fictional profile that comes with Rounds' sample posts. "
        'She is not a real physician, and nothing in the sample posts is medical advice.</p>'
    ),
}
KINDS_BEFORE = ('save', 'autosave', 'restore')
KINDS = (*KINDS_BEFORE, 'review')
# SQLite rebuilds posts in this order: the new column beside the review date, the text last.
POSTS_ORDER = (
    'id', 'author_id', 'title', 'slug', 'excerpt', 'auto_excerpt', 'meta_description',
    'status', 'featured', 'sample', 'published_at', 'last_reviewed', 'reviewed_by',
    'reviewer_id', 'medical', 'audience', 'word_count', 'reading_minutes', 'view_count',
    'like_count', 'comment_count', 'cover_media_id', 'created_at', 'updated_at',
    'deleted_at', 'body_md', 'body_html', 'body_text', 'toc',
)

authors = sa.table(
    'authors',
    sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('credentials', sa.String),
    sa.column('job_title', sa.String), sa.column('bio_md', sa.Text), sa.column('bio_html', sa.Text),
    sa.column('created_at', sa.DateTime),
)
reviewers = sa.table(
    'reviewers',
    sa.column('id', sa.Integer), sa.column('name', sa.String), sa.column('credentials', sa.String),
    sa.column('url', sa.String), sa.column('author_id', sa.Integer),
    sa.column('created_at', sa.DateTime),
)


def now():
    return datetime.now(UTC).replace(tzinfo=None)


def check(values):
    return f"kind IN ({', '.join(repr(value) for value in values)})"


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.create_table(
        'reviewers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('credentials', sa.String(length=160), server_default='', nullable=False),
        sa.Column('url', sa.String(length=500), server_default='', nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['author_id'], ['authors.id'],
            name=op.f('fk_reviewers_author_id_authors'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reviewers')),
        sa.UniqueConstraint('author_id', name=op.f('uq_reviewers_author_id')),
    )
    op.create_table(
        'review_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=80), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['post_id'], ['posts.id'],
            name=op.f('fk_review_links_post_id_posts'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_review_links_token_hash')),
    )
    op.create_index(op.f('ix_review_links_expires_at'), 'review_links', ['expires_at'])
    op.create_index(op.f('ix_review_links_post_id'), 'review_links', ['post_id'])
    with op.batch_alter_table('settings') as batch_op:
        batch_op.add_column(
            sa.Column('review_after_months', sa.Integer(), server_default=sa.text('12'),
                      nullable=False)
        )
    with op.batch_alter_table('revisions') as batch_op:
        batch_op.drop_constraint(op.f('ck_revisions_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_revisions_kind'), check(KINDS))
    return_sample_posts()

    if sqlite:
        drop_search_index()
    options = {'recreate': 'always', 'partial_reordering': [POSTS_ORDER]} if sqlite else {}
    with op.batch_alter_table('posts', **options) as batch_op:
        batch_op.add_column(sa.Column('reviewer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_posts_reviewer_id'), ['reviewer_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_posts_reviewer_id_reviewers'), 'reviewers', ['reviewer_id'], ['id'],
            ondelete='SET NULL',
        )
    name_reviewers()
    with op.batch_alter_table('posts') as batch_op:
        batch_op.drop_column('reviewed_by')
    if sqlite:
        create_search_index()


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        drop_search_index()
    with op.batch_alter_table('posts') as batch_op:
        batch_op.add_column(
            sa.Column('reviewed_by', sa.String(length=160), server_default='', nullable=False)
        )
    # A colleague as "Name, credentials"; the author reviewing her own post as before: none.
    op.execute(
        "UPDATE posts SET reviewed_by = (SELECT CASE WHEN reviewers.author_id IS NOT NULL"
        " THEN '' WHEN reviewers.credentials = '' THEN substr(reviewers.name, 1, 160)"
        " ELSE substr(reviewers.name || ', ' || reviewers.credentials, 1, 160) END"
        " FROM reviewers WHERE reviewers.id = posts.reviewer_id)"
        " WHERE reviewer_id IS NOT NULL"
    )
    with op.batch_alter_table('posts') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_posts_reviewer_id_reviewers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_posts_reviewer_id'))
        batch_op.drop_column('reviewer_id')
    if sqlite:
        create_search_index()
    op.execute("UPDATE revisions SET kind = 'save' WHERE kind = 'review'")
    with op.batch_alter_table('revisions') as batch_op:
        batch_op.drop_constraint(op.f('ck_revisions_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_revisions_kind'), check(KINDS_BEFORE))
    with op.batch_alter_table('settings') as batch_op:
        batch_op.drop_column('review_after_months')
    op.drop_index(op.f('ix_review_links_post_id'), table_name='review_links')
    op.drop_index(op.f('ix_review_links_expires_at'), table_name='review_links')
    op.drop_table('review_links')
    op.drop_table('reviewers')


# -- Data -------------------------------------------------------------------------------


def return_sample_posts():
    """Sample posts owned by an author who signs in go back to a sample profile."""
    bind = op.get_bind()
    handed_over = bind.execute(
        sa.text(
            'SELECT count(*) FROM posts JOIN authors ON authors.id = posts.author_id'
            ' WHERE posts.sample = :yes AND authors.password_hash IS NOT NULL'
        ),
        {'yes': True},
    ).scalar()
    if not handed_over:
        return
    profile = bind.execute(
        authors.insert().values(**SAMPLE_AUTHOR, created_at=now()).returning(authors.c.id)
    ).scalar_one()
    bind.execute(
        sa.text('UPDATE posts SET author_id = :profile WHERE sample = :yes'),
        {'profile': profile, 'yes': True},
    )


def name_reviewers():
    """Free-text reviewers become reviewer rows; a reviewed post with none names its author."""
    bind = op.get_bind()
    texts = bind.execute(
        sa.text("SELECT DISTINCT reviewed_by FROM posts WHERE reviewed_by != ''")
    ).scalars().all()
    for text in texts:
        name, _, credentials = text.partition(',')
        reviewer = bind.execute(
            reviewers.insert().values(
                name=name.strip()[:120] or text[:120], credentials=credentials.strip(), url='',
                created_at=now(),
            ).returning(reviewers.c.id)
        ).scalar_one()
        bind.execute(
            sa.text('UPDATE posts SET reviewer_id = :reviewer WHERE reviewed_by = :text'),
            {'reviewer': reviewer, 'text': text},
        )
    self_reviewed = bind.execute(
        sa.text(
            'SELECT DISTINCT authors.id, authors.name FROM posts'
            ' JOIN authors ON authors.id = posts.author_id'
            " WHERE posts.reviewed_by = '' AND posts.last_reviewed IS NOT NULL"
        )
    ).all()
    for author_id, name in self_reviewed:
        reviewer = bind.execute(
            reviewers.insert().values(
                name=name, credentials='', url='', author_id=author_id, created_at=now()
            ).returning(reviewers.c.id)
        ).scalar_one()
        bind.execute(
            sa.text(
                'UPDATE posts SET reviewer_id = :reviewer WHERE author_id = :author'
                " AND reviewed_by = '' AND last_reviewed IS NOT NULL"
            ),
            {'reviewer': reviewer, 'author': author_id},
        )


# -- SQLite's search index (as revision 3c8e51d0a9f7 made it) ---------------------------

CONTENT = """
SELECT posts.id AS id, posts.title AS title,
       CASE WHEN posts.excerpt != '' THEN posts.excerpt ELSE posts.auto_excerpt END AS summary,
       posts.body_text AS body,
       coalesce((SELECT group_concat(tags.name, ' ') FROM tags
                 JOIN post_tags ON post_tags.tag_id = tags.id
                 WHERE post_tags.post_id = posts.id), '') AS tags
FROM posts
"""
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
