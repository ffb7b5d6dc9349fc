"""Keywords carry their merge key, so trends are counted per near-duplicate group in SQL.

Revision ID: 0004
Revises: 0003
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("keyword", sa.Column("merge_key", sa.String(length=300), nullable=True))
    op.create_index("ix_keyword_merge_key", "keyword", ["merge_key"])
    keyword = sa.table(
        "keyword", sa.column("id", sa.Integer), sa.column("phrase", sa.String), sa.column("merge_key", sa.String)
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(keyword.c.id, keyword.c.phrase)).all()
    for start in range(0, len(rows), 1000):
        bind.execute(
            keyword.update().where(keyword.c.id == sa.bindparam("kid")).values(merge_key=sa.bindparam("key")),
            [{"kid": kid, "key": frozen_keyword_key(phrase)} for kid, phrase in rows[start : start + 1000]],
        )


def frozen_keyword_key(keyword: str) -> str:
    """The merge key as it was defined when this migration was written (Porter stems of the
    lower-cased words, joined). A migration must mean the same thing forever, so it keeps its own
    copy instead of importing the service's, which may change; a test holds the two equal on the
    data this migration backfills."""
    import snowballstemmer

    stemmer = snowballstemmer.stemmer("porter")
    return "".join(stemmer.stemWords(re.findall(r"[a-z0-9+#]+", keyword.lower())))


def downgrade() -> None:
    op.drop_index("ix_keyword_merge_key", "keyword")
    op.drop_column("keyword", "merge_key")
