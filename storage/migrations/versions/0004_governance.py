"""Information governance: where each action was recorded (public display), and retention's mark.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.add_column(sa.Column("origin", sa.String(200)))
        batch.add_column(sa.Column("redacted_at", UTCDateTime()))
    # Retention finds closed actions by when they closed.
    op.create_index("ix_actions_closed_at", "actions", ["closed_at"])
    # Subject access and case chronologies read events by actor.
    op.create_index("ix_action_events_actor_id", "action_events", ["actor_id"])


def downgrade() -> None:
    op.drop_index("ix_action_events_actor_id", "action_events")
    op.drop_index("ix_actions_closed_at", "actions")
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("redacted_at")
        batch.drop_column("origin")
