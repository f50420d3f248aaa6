"""Owners on leave, part-time days, digests and snoozed reminders: a person's away dates, cover, working days
and digest choice, an action's snooze.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("away_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("away_until", sa.Date(), nullable=True))
        batch.add_column(sa.Column("away_source", sa.String(16), nullable=True))
        batch.add_column(sa.Column("cover_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("working_days", sa.String(7), nullable=True))
        batch.add_column(sa.Column("digest", sa.Boolean(), nullable=True))
        batch.create_foreign_key("fk_people_cover_id", "people", ["cover_id"], ["id"])
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("remind_from", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("remind_from")
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint("fk_people_cover_id", type_="foreignkey")
        batch.drop_column("digest")
        batch.drop_column("working_days")
        batch.drop_column("cover_id")
        batch.drop_column("away_until")
        batch.drop_column("away_source")
        batch.drop_column("away_from")
