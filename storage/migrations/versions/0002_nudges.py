"""Chasing: the nudges outbox (ladder steps, confirmations, cards to re-send).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action_id", sa.Integer(), sa.ForeignKey("actions.id"), nullable=False, index=True),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("deadline_version", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("recipient_key", sa.String(200), nullable=False),
        sa.Column("recipient_id", sa.Integer(), sa.ForeignKey("people.id")),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("stuck", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.String(300)),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("lease_until", UTCDateTime()),
        sa.Column("sent_at", UTCDateTime()),
        sa.Column("channel", sa.String(16)),
        sa.Column("delivery_ref", sa.String(200)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint(
            "action_id", "step", "deadline_version", "occurrence", "recipient_key", name="uq_nudges_key"
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'cancelled', 'unreachable')", name="ck_nudges_status"
        ),
    )
    # The sweep reads only due, pending rows: its cost follows what is due, not how many actions are open.
    op.create_index("ix_nudges_status_due_at", "nudges", ["status", "due_at"])
    # When the current deadline was set: each extension starts a new ladder from that moment.
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("deadline_set_at", UTCDateTime()))
    op.execute("UPDATE actions SET deadline_set_at = updated_at")
    with op.batch_alter_table("actions") as batch:
        batch.alter_column("deadline_set_at", existing_type=UTCDateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("deadline_set_at")
    op.drop_table("nudges")
