"""Meetings that know the safeguarding process: a meeting's type, and the statutory steps that follow it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("kind", sa.String(24), nullable=True))
    op.create_table(
        "statutory_steps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id"), nullable=False),
        sa.Column("case_ref", sa.String(40), nullable=True),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("task", sa.String(300), nullable=False),
        sa.Column("condition", sa.String(200), nullable=True),
        sa.Column("clock", sa.String(40), nullable=False),
        sa.Column("basis", sa.String(16), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("met_by", sa.String(24), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("action_id", sa.Integer(), sa.ForeignKey("actions.id"), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("proposed_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("met_meeting_id", sa.Integer(), sa.ForeignKey("meetings.id"), nullable=True),
        sa.UniqueConstraint("meeting_id", "step", name="uq_statutory_steps_meeting_step"),
    )
    op.create_index("ix_statutory_steps_meeting_id", "statutory_steps", ["meeting_id"])
    op.create_index("ix_statutory_steps_case_ref", "statutory_steps", ["case_ref"])
    op.create_index("ix_statutory_steps_due_on", "statutory_steps", ["due_on"])


def downgrade() -> None:
    op.drop_table("statutory_steps")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("kind")
