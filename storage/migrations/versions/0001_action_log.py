"""The shared action log: people, agencies, meetings, actions, the hash-chained event log.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The log is append-only in the database too: UPDATE and DELETE of events are refused by triggers, so
# even a bug or a careless script cannot rewrite history. (Someone who can drop triggers can still
# tamper; the hash chain is what detects that.) Event contents may only be deleted (retention).
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION actionbot_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'actionbot: % is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""
_PG_TRIGGERS = (
    "CREATE TRIGGER action_events_append_only BEFORE UPDATE OR DELETE ON action_events "
    "FOR EACH ROW EXECUTE FUNCTION actionbot_refuse_change()",
    "CREATE TRIGGER action_events_no_truncate BEFORE TRUNCATE ON action_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION actionbot_refuse_change()",
    "CREATE TRIGGER event_contents_no_update BEFORE UPDATE ON event_contents "
    "FOR EACH ROW EXECUTE FUNCTION actionbot_refuse_change()",
)
_SQLITE_TRIGGERS = (
    "CREATE TRIGGER action_events_no_update BEFORE UPDATE ON action_events "
    "BEGIN SELECT RAISE(ABORT, 'actionbot: action_events is append-only (UPDATE refused)'); END",
    "CREATE TRIGGER action_events_no_delete BEFORE DELETE ON action_events "
    "BEGIN SELECT RAISE(ABORT, 'actionbot: action_events is append-only (DELETE refused)'); END",
    "CREATE TRIGGER event_contents_no_update BEFORE UPDATE ON event_contents "
    "BEGIN SELECT RAISE(ABORT, 'actionbot: event_contents is append-only (UPDATE refused)'); END",
)


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), unique=True),
        sa.Column("handle", sa.String(80), index=True),
        sa.Column("agency_id", sa.Integer(), sa.ForeignKey("agencies.id")),
        sa.Column("slack_user_id", sa.String(32), unique=True),
        sa.Column("teams_object_id", sa.String(64), unique=True),
        sa.Column("timezone", sa.String(64)),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("escalation_contact_id", sa.Integer(), sa.ForeignKey("people.id")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("case_ref", sa.String(40), index=True),
        sa.Column("chair_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("dsl_id", sa.Integer(), sa.ForeignKey("people.id")),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("conversation_id", sa.String(128), index=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime()),
    )
    op.create_table(
        "meeting_participants",
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id"), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id"), primary_key=True, index=True),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id"), index=True),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("deadline", UTCDateTime(), nullable=False),
        sa.Column("review_on", sa.Date()),
        sa.Column("case_ref", sa.String(40), index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("deadline_version", sa.Integer(), nullable=False),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("owner_active_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime()),
        sa.Column("reviewed_at", UTCDateTime()),
        sa.CheckConstraint("status IN ('open', 'done', 'blocked', 'cancelled')", name="ck_actions_status"),
    )
    op.create_index("ix_actions_status_deadline", "actions", ["status", "deadline"])
    op.create_index("ix_actions_owner_status", "actions", ["owner_id", "status"])
    op.create_table(
        "action_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False, unique=True),
        sa.Column("action_id", sa.Integer(), sa.ForeignKey("actions.id")),
        sa.Column("kind", sa.String(16), nullable=False, index=True),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("people.id")),
        sa.Column("at", UTCDateTime(), nullable=False, index=True),
        sa.Column("content_digest", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_action_events_action_seq", "action_events", ["action_id", "seq"])
    op.create_table(
        "event_contents",
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("action_events.id"), primary_key=True),
        sa.Column("reason", sa.Text()),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    log_head = op.create_table(
        "log_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(log_head, [{"id": 1, "seq": 0, "last_hash": "0" * 64}])
    op.create_table(
        "request_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("action_id", sa.Integer(), sa.ForeignKey("actions.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            op.execute(statement)
    else:
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    for table in ("request_keys", "log_head", "event_contents", "action_events", "actions"):
        op.drop_table(table)
    for table in ("meeting_participants", "meetings", "people", "agencies"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS actionbot_refuse_change()")
