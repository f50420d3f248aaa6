"""Answers from emailed links, addresses that email cannot reach, and people in other organisations.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_link_uses",
        sa.Column("link_id", sa.String(32), primary_key=True),
        sa.Column("action_id", sa.Integer(), sa.ForeignKey("actions.id"), nullable=False, index=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("choice", sa.String(16), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=False),
    )
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("email_failed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("outside_org", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("guest", sa.Boolean(), nullable=True))
    with op.batch_alter_table("nudges") as batch:
        batch.add_column(sa.Column("delivery_status", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nudges") as batch:
        batch.drop_column("delivery_status")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("guest")
        batch.drop_column("outside_org")
        batch.drop_column("email_failed_at")
    op.drop_table("answer_link_uses")
