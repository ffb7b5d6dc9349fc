"""The import journal: what each committed batch of a running import did, to undo it if the
import dies before its last batch (see planner/store/journal.py). Empty but while an import runs.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.String(), nullable=False),
        sa.Column("batch", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undo", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_import_journal_import_id", "import_journal", ["import_id"])


def downgrade() -> None:
    op.drop_index("ix_import_journal_import_id", table_name="import_journal")
    op.drop_table("import_journal")
