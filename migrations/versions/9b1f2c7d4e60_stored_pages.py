"""stored pages: readers' pages rendered once and shared by every worker

- page_generation: one row whose value is raised in the same transaction as every change
  to what readers' pages show (blog.core.page_store).
- stored_pages: rendered pages (zlib-compressed), each valid while the generation it was
  made at is current and until its valid_until.

New tables only: no batch operation, so the search view and triggers are untouched.

Revision ID: 9b1f2c7d4e60
Revises: b7d2e5a91c04
Create Date: 2026-12-01 17:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '9b1f2c7d4e60'
down_revision = "b7d2e5a91c04"
branch_labels = None
depends_on = None


def upgrade():
    generation = op.create_table(
        'page_generation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_page_generation')),
    )
    op.bulk_insert(generation, [{'id': 1, 'value': 0}])
    op.create_table(
        'stored_pages',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('generation', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('last_modified', sa.DateTime(), nullable=True),
        sa.Column('stored_at', sa.DateTime(), nullable=False),
        sa.Column('valid_until', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_pages')),
    )
    op.create_index(op.f('ix_stored_pages_generation'), 'stored_pages', ['generation'])
    op.create_index(op.f('ix_stored_pages_stored_at'), 'stored_pages', ['stored_at'])


def downgrade():
    op.drop_index(op.f('ix_stored_pages_stored_at'), table_name='stored_pages')
    op.drop_index(op.f('ix_stored_pages_generation'), table_name='stored_pages')
    op.drop_table('stored_pages')
    op.drop_table('page_generation')
