"""moving in from Wix, WordPress or Ghost: old addresses, import items, import runs

- path_redirects: the addresses posts had on the site they were imported from
  (/2019/03/05/slug, /?p=12, /slug), answered with a 301 to the post (or to /about).
- import_items: what an import made of each post, page, comment and image of a source,
  keyed by the source and the id it had there, so importing again never duplicates.
- import_runs: imports started from the Import page, with their progress.

New tables only: no batch operation, so the search view and triggers are untouched.

Revision ID: 268b05d124c2
Revises: f302ebb5f01b
Create Date: 2026-12-01 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '268b05d124c2'
down_revision = 'f302ebb5f01b'
branch_labels = None
depends_on = None


def check(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade():
    op.create_table(
        'path_redirects',
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('target', sa.String(length=200), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['post_id'], ['posts.id'],
            name=op.f('fk_path_redirects_post_id_posts'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('path', name=op.f('pk_path_redirects')),
    )
    op.create_index(op.f('ix_path_redirects_post_id'), 'path_redirects', ['post_id'])

    op.create_table(
        'import_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('original_id', sa.String(length=200), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('media_id', sa.Integer(), nullable=True),
        sa.Column('digest', sa.String(length=64), server_default='', nullable=False),
        sa.Column('written', sa.String(length=64), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            check('kind', ('post', 'page', 'comment', 'image')),
            name=op.f('ck_import_items_kind'),
        ),
        sa.ForeignKeyConstraint(
            ['post_id'], ['posts.id'],
            name=op.f('fk_import_items_post_id_posts'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['comment_id'], ['comments.id'],
            name=op.f('fk_import_items_comment_id_comments'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['media_id'], ['media.id'],
            name=op.f('fk_import_items_media_id_media'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_items')),
        sa.UniqueConstraint(
            'source', 'kind', 'original_id', name=op.f('uq_import_items_source')
        ),
    )
    op.create_index(op.f('ix_import_items_post_id'), 'import_items', ['post_id'])
    op.create_index(op.f('ix_import_items_comment_id'), 'import_items', ['comment_id'])
    op.create_index(op.f('ix_import_items_media_id'), 'import_items', ['media_id'])

    op.create_table(
        'import_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=500), nullable=False),
        sa.Column('address', sa.String(length=500), server_default='', nullable=False),
        sa.Column('file_name', sa.String(length=100), server_default='', nullable=False),
        sa.Column('pages_as', sa.String(length=8), server_default='about', nullable=False),
        sa.Column('dry_run', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('status', sa.String(length=16), server_default='queued', nullable=False),
        sa.Column('stage', sa.String(length=200), server_default='', nullable=False),
        sa.Column('done', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('total', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('summary', sa.Text(), server_default='', nullable=False),
        sa.Column('error', sa.Text(), server_default='', nullable=False),
        sa.Column('warnings', sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column('plan', sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            check('status', ('queued', 'running', 'done', 'failed')),
            name=op.f('ck_import_runs_status'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_runs')),
    )


def downgrade():
    op.drop_table('import_runs')
    op.drop_index(op.f('ix_import_items_media_id'), table_name='import_items')
    op.drop_index(op.f('ix_import_items_comment_id'), table_name='import_items')
    op.drop_index(op.f('ix_import_items_post_id'), table_name='import_items')
    op.drop_table('import_items')
    op.drop_index(op.f('ix_path_redirects_post_id'), table_name='path_redirects')
    op.drop_table('path_redirects')
