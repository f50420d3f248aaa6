"""Drop the nudges table's index on action_id alone: the unique key (action_id, step, deadline_version,
occurrence, recipient_key) starts with action_id and serves every lookup by action. The second index cost
every nudge written, claimed and marked sent an index entry more (PostgreSQL's updates of an indexed column
write to every index): about 8% of a 1,000-nudge sweep there (docs/benchmarks.md).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_nudges_action_id", table_name="nudges")


def downgrade() -> None:
    op.create_index("ix_nudges_action_id", "nudges", ["action_id"])
