"""the clinician's identity: headshot and one-line bio, logo, favicon, pages, menu

- authors.short_bio (one line for the author box) and authors.headshot_media_id.
- settings.logo_media_id, settings.favicon (the name of its icon files), settings.title_with_logo and
  settings.menu (the header's links in order; the default is the header as it was).
- pages: the author's own pages at /page/<slug> (Contact, Clinic hours, Privacy policy).

Revision ID: 9b1c7e2d4f60
Revises: 4223d240c45a
Create Date: 2026-12-01 17:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '9b1c7e2d4f60'
down_revision = '4223d240c45a'
branch_labels = None
depends_on = None



def upgrade():
    op.create_table(
        'pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('slug', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), server_default='draft', nullable=False),
        sa.Column('excerpt', sa.Text(), server_default='', nullable=False),
        sa.Column('body_md', sa.Text(), server_default='', nullable=False),
        sa.Column('body_html', sa.Text(), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_pages_status')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pages')),
        sa.UniqueConstraint('slug', name=op.f('uq_pages_slug')),
    )
    with op.batch_alter_table('authors') as batch_op:
        batch_op.add_column(
            sa.Column('short_bio', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('headshot_media_id', sa.Integer(), nullable=True))
        batch_op.create_index(op.f('ix_authors_headshot_media_id'), ['headshot_media_id'])
        batch_op.create_foreign_key(
            op.f('fk_authors_headshot_media_id_media'), 'media', ['headshot_media_id'], ['id'],
            ondelete='SET NULL',
        )
    with op.batch_alter_table('settings') as batch_op:
        batch_op.add_column(sa.Column('logo_media_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('favicon', sa.String(length=20), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('title_with_logo', sa.Boolean(), server_default=sa.text('true'),
                      nullable=False)
        )
        batch_op.add_column(
            sa.Column('menu', sa.Text(), server_default='home archive about', nullable=False)
        )
        batch_op.create_index(op.f('ix_settings_logo_media_id'), ['logo_media_id'])
        batch_op.create_foreign_key(
            op.f('fk_settings_logo_media_id_media'), 'media', ['logo_media_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('settings') as batch_op:
        batch_op.drop_constraint(op.f('fk_settings_logo_media_id_media'), type_='foreignkey')
        batch_op.drop_index(op.f('ix_settings_logo_media_id'))
        batch_op.drop_column('menu')
        batch_op.drop_column('title_with_logo')
        batch_op.drop_column('favicon')
        batch_op.drop_column('logo_media_id')
    with op.batch_alter_table('authors') as batch_op:
        batch_op.drop_constraint(op.f('fk_authors_headshot_media_id_media'), type_='foreignkey')
        batch_op.drop_index(op.f('ix_authors_headshot_media_id'))
        batch_op.drop_column('headshot_media_id')
        batch_op.drop_column('short_bio')
    op.drop_table('pages')
