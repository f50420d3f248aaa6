"""Microsoft Teams: where people, channels and chats can be reached proactively.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams_conversations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("aad_object_id", sa.String(64), unique=True),
        sa.Column("user_id", sa.String(200)),
        sa.Column("conversation_id", sa.String(400), unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("service_url", sa.String(500), nullable=False),
        sa.Column("tenant_id", sa.String(64)),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("teams_conversations")
