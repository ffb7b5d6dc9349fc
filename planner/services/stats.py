"""How many rows of each kind the store holds."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from planner.models import ALL_TABLES


def table_counts(session: Session) -> dict[str, int]:
    return {
        str(model.__tablename__): session.exec(select(func.count()).select_from(model)).one() for model in ALL_TABLES
    }
