"""A person's interests embedded, so suggestions match entries to people without the model.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, never a batch table copy: rebuilding "connection" on SQLite would drop a
# table that touchpoints and tags reference with ON DELETE CASCADE. SQLite >= 3.35 drops columns.


def upgrade() -> None:
    op.add_column("connection", sa.Column("interest_embedding", sa.LargeBinary(), nullable=True))
    op.add_column("connection", sa.Column("interest_hash", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("connection", "interest_hash")
    op.drop_column("connection", "interest_embedding")
