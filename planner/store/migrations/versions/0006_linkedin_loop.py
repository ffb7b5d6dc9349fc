"""Close the loop with LinkedIn: what the archive and the analytics export tell us.

linkedin_record holds the archive's facts (messages, invitations, endorsements, recommendations,
the owner), analytics_day and post_result the creator analytics, and strategy.slot_learning
lets plan week prefer the slots that did better.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkedin_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=200), nullable=False, unique=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("connection_id", sa.Integer(), sa.ForeignKey("connection.id", ondelete="CASCADE"), nullable=True),
        sa.Column("conversation_id", sa.String(length=300), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("pitch", sa.Boolean(), nullable=True),
        sa.Column("reasons", sa.String(), nullable=False),
        sa.Column("touchpoint_id", sa.Integer(), sa.ForeignKey("touchpoint.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_linkedin_record_person_kind_at", "linkedin_record", ["connection_id", "kind", "at"])
    op.create_index("ix_linkedin_record_conversation_id", "linkedin_record", ["conversation_id"])
    op.create_table(
        "analytics_day",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False, unique=True),
        sa.Column("impressions", sa.Integer(), nullable=True),
        sa.Column("engagements", sa.Integer(), nullable=True),
        sa.Column("new_followers", sa.Integer(), nullable=True),
        sa.Column("total_followers", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "post_result",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(length=2000), nullable=False, unique=True),
        sa.Column("activity_id", sa.String(length=40), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("impressions", sa.Integer(), nullable=True),
        sa.Column("engagements", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("post.id", ondelete="SET NULL"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_post_result_activity_id", "post_result", ["activity_id"])
    op.create_index("ix_post_result_post_id", "post_result", ["post_id"])
    # plain ALTER TABLE, never a batch copy: rebuilding "strategy" on SQLite would cascade to its slots
    op.add_column("strategy", sa.Column("slot_learning", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("strategy", "slot_learning")
    op.drop_index("ix_post_result_post_id", "post_result")
    op.drop_index("ix_post_result_activity_id", "post_result")
    op.drop_table("post_result")
    op.drop_table("analytics_day")
    op.drop_index("ix_linkedin_record_conversation_id", "linkedin_record")
    op.drop_index("ix_linkedin_record_person_kind_at", "linkedin_record")
    op.drop_table("linkedin_record")
