"""email subscriptions: subscribers, the outbox, failures per address, post mail state,
reply notices, mail settings

- subscribers: a confirmed subscription (address, confirmation time, source). An
  unconfirmed address is never stored: its confirmation link carries it, signed.
- outbox: each mail to send (confirmations, new posts, reply notices, the author's comment
  notices), with its attempts and errors; sent and failed mails are the author's log.
  (post_id, address) is unique: a post goes to an address once.
- mail_failures: hard failures per address, and whether the address is paused.
- post_mail: whether a post is emailed to subscribers. Posts that exist now get no row,
  so they are never emailed (published or imported before subscriptions existed), except
  posts scheduled for later, which are emailed when they go out as the author planned.
- comments.notify_replies: "email me when the author replies".
- settings: mail_sender_name, mail_sender_address, mail_full_text.

Revision ID: b7d2e5a91c04
Revises: 9b1c7e2d4f60
Create Date: 2026-12-01 17:30:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = 'b7d2e5a91c04'
down_revision = '9b1c7e2d4f60'
branch_labels = None
depends_on = None


def check(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def upgrade():
    op.create_table(
        'subscribers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(), nullable=False),
        sa.Column('source', sa.String(length=16), server_default='home', nullable=False),
        sa.Column('source_post_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            check('source', ('home', 'post', 'import')), name=op.f('ck_subscribers_source')
        ),
        sa.ForeignKeyConstraint(
            ['source_post_id'], ['posts.id'],
            name=op.f('fk_subscribers_source_post_id_posts'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_subscribers')),
        sa.UniqueConstraint('email', name=op.f('uq_subscribers_email')),
    )
    op.create_index(op.f('ix_subscribers_source_post_id'), 'subscribers', ['source_post_id'])

    op.create_table(
        'post_mail',
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), server_default='pending', nullable=False),
        sa.Column('queued_at', sa.DateTime(), nullable=True),
        sa.Column('recipients', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.CheckConstraint(
            check('state', ('none', 'pending', 'queued')), name=op.f('ck_post_mail_state')
        ),
        sa.ForeignKeyConstraint(
            ['post_id'], ['posts.id'], name=op.f('fk_post_mail_post_id_posts'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('post_id', name=op.f('pk_post_mail')),
    )
    op.create_index(op.f('ix_post_mail_state'), 'post_mail', ['state'])

    op.create_table(
        'outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('comment_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.String(length=200), server_default='', nullable=False),
        sa.Column('status', sa.String(length=16), server_default='queued', nullable=False),
        sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('error', sa.String(length=500), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            check('kind', ('confirm', 'post', 'reply', 'comment')), name=op.f('ck_outbox_kind')
        ),
        sa.CheckConstraint(
            check('status', ('queued', 'sending', 'sent', 'failed', 'skipped')),
            name=op.f('ck_outbox_status'),
        ),
        sa.ForeignKeyConstraint(
            ['post_id'], ['posts.id'], name=op.f('fk_outbox_post_id_posts'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['comment_id'], ['comments.id'],
            name=op.f('fk_outbox_comment_id_comments'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
        sa.UniqueConstraint('post_id', 'address', name=op.f('uq_outbox_post_id')),
    )
    op.create_index(op.f('ix_outbox_address'), 'outbox', ['address'])
    op.create_index(op.f('ix_outbox_comment_id'), 'outbox', ['comment_id'])
    op.create_index(op.f('ix_outbox_created_at'), 'outbox', ['created_at'])
    op.create_index('ix_outbox_status_due_at', 'outbox', ['status', 'due_at'])

    op.create_table(
        'mail_failures',
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('count', sa.Integer(), server_default=sa.text('0'), nullable=False),
        sa.Column('paused', sa.Boolean(), server_default=sa.text('false'), nullable=False),
        sa.Column('last_error', sa.String(length=500), server_default='', nullable=False),
        sa.Column('last_failed_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('address', name=op.f('pk_mail_failures')),
    )

    op.add_column(
        'comments',
        sa.Column('notify_replies', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    )
    op.add_column(
        'settings',
        sa.Column('mail_sender_name', sa.String(length=120), server_default='', nullable=False),
    )
    op.add_column(
        'settings',
        sa.Column('mail_sender_address', sa.String(length=254), server_default='', nullable=False),
    )
    op.add_column(
        'settings',
        sa.Column('mail_full_text', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    )

    # Posts scheduled for later are emailed when they go out; nothing else already here is.
    op.get_bind().execute(
        sa.text(
            "INSERT INTO post_mail (post_id, state, recipients) SELECT id, 'pending', 0"
            " FROM posts WHERE status = 'scheduled' AND deleted_at IS NULL"
            " AND published_at > :now"
        ),
        {'now': datetime.now(UTC).replace(tzinfo=None)},
    )


def downgrade():
    with op.batch_alter_table('settings') as batch_op:
        batch_op.drop_column('mail_full_text')
        batch_op.drop_column('mail_sender_address')
        batch_op.drop_column('mail_sender_name')
    with op.batch_alter_table('comments') as batch_op:
        batch_op.drop_column('notify_replies')
    op.drop_table('mail_failures')
    op.drop_index('ix_outbox_status_due_at', table_name='outbox')
    op.drop_index(op.f('ix_outbox_created_at'), table_name='outbox')
    op.drop_index(op.f('ix_outbox_comment_id'), table_name='outbox')
    op.drop_index(op.f('ix_outbox_address'), table_name='outbox')
    op.drop_table('outbox')
    op.drop_index(op.f('ix_post_mail_state'), table_name='post_mail')
    op.drop_table('post_mail')
    op.drop_index(op.f('ix_subscribers_source_post_id'), table_name='subscribers')
    op.drop_table('subscribers')
