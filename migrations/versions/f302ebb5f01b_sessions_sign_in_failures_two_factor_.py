"""server-side sessions, sign-in failures, two-step sign-in, view receipts

- author_sessions: one row per signed-in browser; the cookie carries a random token whose
  SHA-256 is kept here, so signing out ends a session wherever its cookie was copied.
  authors.session_version goes: a password change deletes the other sessions instead.
- sign_in_failures: refused sign-ins per hashed network (IPv4 address or IPv6 /64) and
  per hashed account, shared by every worker and kept across restarts.
- authors.totp_secret, authors.totp_last_step and recovery_codes: two-step sign-in.
- view_receipts: which (hashed) readers were counted for a post on a day.

Revision ID: f302ebb5f01b
Revises: 3c8e51d0a9f7
Create Date: 2026-12-01 14:23:16

"""
from alembic import op
import sqlalchemy as sa


revision = 'f302ebb5f01b'
down_revision = '3c8e51d0a9f7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'author_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('remember', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('user_agent', sa.String(length=200), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['author_id'], ['authors.id'],
            name=op.f('fk_author_sessions_author_id_authors'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_author_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_author_sessions_token_hash')),
    )
    op.create_index(op.f('ix_author_sessions_author_id'), 'author_sessions', ['author_id'])

    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ['author_id'], ['authors.id'],
            name=op.f('fk_recovery_codes_author_id_authors'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    )
    op.create_index(op.f('ix_recovery_codes_author_id'), 'recovery_codes', ['author_id'])

    op.create_table(
        'sign_in_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failures')),
    )
    op.create_index(op.f('ix_sign_in_failures_created_at'), 'sign_in_failures', ['created_at'])
    op.create_index(
        'ix_sign_in_failures_key_created_at', 'sign_in_failures', ['key', 'created_at']
    )

    op.create_table(
        'view_receipts',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('reader_hash', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ['post_id'], ['posts.id'],
            name=op.f('fk_view_receipts_post_id_posts'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('post_id', 'day', 'reader_hash', name=op.f('pk_view_receipts')),
    )
    op.create_index(op.f('ix_view_receipts_day'), 'view_receipts', ['day'])

    with op.batch_alter_table('authors') as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.drop_column('session_version')


def downgrade():
    with op.batch_alter_table('authors') as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default=sa.text('1'), nullable=False)
        )
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
    op.drop_index(op.f('ix_view_receipts_day'), table_name='view_receipts')
    op.drop_table('view_receipts')
    op.drop_index('ix_sign_in_failures_key_created_at', table_name='sign_in_failures')
    op.drop_index(op.f('ix_sign_in_failures_created_at'), table_name='sign_in_failures')
    op.drop_table('sign_in_failures')
    op.drop_index(op.f('ix_recovery_codes_author_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    op.drop_index(op.f('ix_author_sessions_author_id'), table_name='author_sessions')
    op.drop_table('author_sessions')
