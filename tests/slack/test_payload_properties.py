"""Property tests on the Slack payload readers: any JSON-shaped input is either refused with a reason or
read without an exception other than the reader's own (ModalErrors)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.capture.dates import WorkCalendar
from handlers.slack.actions import target_of
from handlers.slack.modals import ModalErrors, read_blocked, read_done, read_more_time, read_reassign
from handlers.slack.payloads import shape_problem
from handlers.slack.record_form import read_record

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
CAL = WorkCalendar.uk()
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=5)),
    max_leaves=25,
)
KEYS = st.sampled_from(
    [
        "owner",
        "task",
        "deadline",
        "deadline_time",
        "review",
        "case_ref",
        "reason",
        "note",
        "new_date",
        "new_time",
        "new_owner",
    ]
)
STATE_VALUE = st.fixed_dictionaries(
    {},
    optional={
        "type": st.text(max_size=10),
        "value": st.one_of(st.none(), st.text(max_size=60)),
        "selected_date": st.one_of(st.none(), st.sampled_from(["2026-12-04", "2026-02-30", "x", "", "2020-01-01"])),
        "selected_time": st.one_of(st.none(), st.sampled_from(["09:30", "25:61", "x", ""])),
        "selected_user": st.one_of(st.none(), st.text(max_size=12)),
    },
)
VIEWS = st.builds(
    lambda values: {
        "id": "V1",
        "type": "modal",
        "callback_id": "x",
        "state": {"values": {k: {k: v} for k, v in values.items()}},
    },
    st.dictionaries(KEYS, STATE_VALUE, max_size=8),
)


@settings(max_examples=500, deadline=None)
@given(JSON)
def test_shape_problem_answers_anything(body: Any) -> None:
    result = shape_problem(body)
    assert result is None or isinstance(result, str)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["type", "user", "actions", "trigger_id", "view", "container", "channel", "message"]), JSON
    )
)
def test_a_well_shaped_button_press_always_has_a_target(body: dict[str, Any]) -> None:
    body = {**body, "type": "block_actions"}
    if shape_problem(body) is None:
        target = target_of(body)
        assert isinstance(target.ref, str)


@settings(max_examples=300, deadline=None)
@given(VIEWS)
def test_modal_readers_return_or_explain(view: dict[str, Any]) -> None:
    assert shape_problem({"type": "view_submission", "user": {"id": "U1"}, "view": view}) is None
    for read in (
        lambda: read_record(view, NOW, CAL),
        lambda: read_done(view),
        lambda: read_more_time(view, NOW, CAL),
        lambda: read_blocked(view),
        lambda: read_reassign(view),
    ):
        try:
            read()
        except ModalErrors as errors:
            problems = errors.errors
        else:
            problems = {"": "read"}
        assert problems  # either read, or refused with something to show in the modal
