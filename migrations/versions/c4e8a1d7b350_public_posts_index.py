"""public posts index: status, deleted_at and published_at

The index on (status, published_at) becomes one on (status, deleted_at, published_at), so
every part of the rule for what readers see (Post.is_public) is in it: counting public
posts reads the index alone, not every post's row, and a list of the newest (the home
page) still reads them in order, stopping after its page.

Indexes only: no batch operation, so the search view and triggers are untouched.

Revision ID: c4e8a1d7b350
Revises: 9b1f2c7d4e60
Create Date: 2026-12-02 10:20:00

"""
from alembic import op


revision = 'c4e8a1d7b350'
down_revision = '9b1f2c7d4e60'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_posts_status_published_at', table_name='posts')
    op.create_index(
        'ix_posts_status_deleted_at_published_at',
        'posts',
        ['status', 'deleted_at', 'published_at'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_posts_status_deleted_at_published_at', table_name='posts')
    op.create_index(
        'ix_posts_status_published_at', 'posts', ['status', 'published_at'], unique=False
    )
