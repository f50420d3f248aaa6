"""``actionbot report drift`` on the demo's database gives the numbers its script predicts.

The demo (bot/demo.py) runs a strategy meeting on Mon 23 Nov 2026 and ends on Thu 10 Dec at 10:00:
- A-1 (Jo, Police) done Thu 26 Nov; A-4 cancelled at the meeting;
- A-2 (Priya, Health) extended once to Fri 4 Dec 17:00, then nothing: overdue by 4 working days;
- A-3 (Sam, Oakfield Primary) due Fri 4 Dec, blocked Mon 30 Nov: overdue by 4 working days and blocked;
- A-5 ("Dr A. Khan (GP)", no chat or email) due Thu 24 Dec: nobody can chase him, and he has said nothing
  since Mon 23 Nov (13 working days); his written confirmation could not be delivered.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.demo import run_demo


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "demo.db"
    assert run_demo(path, io.StringIO()) == 0
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.delenv("ACTIONBOT_CONFIG", raising=False)
    monkeypatch.delenv("ACTIONBOT_AS", raising=False)
    return path


def report(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["report", "drift", "--now", "2026-12-10T10:00:00", *argv], out=out)
    return code, out.getvalue() + capsys.readouterr().out


def test_the_demo_report_as_json(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = report(capsys, "--format", "json", "--as", "@alex.morgan")
    assert code == 0
    data = json.loads(out)
    assert data["headline"] == {"open": 4, "overdue": 2, "drifting": 3, "done_this_week": 0, "median_days_overdue": 4.0}
    assert data["reasons"] == {
        "overdue": 2,
        "extended": 0,
        "silent": 1,
        "review_missed": 0,
        "owner_inactive": 0,
        "owner_unknown": 1,
        "blocked": 1,
    }
    items = {i["ref"]: (i["reasons"], i["days_late"], i["owner"]["name"]) for i in data["drifting"]["items"]}
    assert items == {
        "A-2": (["overdue"], 4, "Priya Shah"),
        "A-3": (["overdue", "blocked"], 4, "Sam Lee"),
        "A-5": (["silent", "owner_unknown"], None, "Dr A. Khan (GP)"),
    }
    # the chair's agency has the ICPC: open, on track, not drifting
    assert [a["agency"] for a in data["agencies"]] == [
        "Health",
        "Oakfield Primary",
        "(no agency)",
        "Children's Social Care",
    ]
    [icpc] = data["statutory"]["items"]
    assert (icpc["state"], icpc["due_on"], icpc["owner"], icpc["action_ref"]) == (
        "at risk",
        "2026-12-14",
        "Sarah Patel",
        "A-7",
    )
    assert [(m["title"], m["drifting"]) for m in data["meetings"]["rows"]] == [("Strategy meeting", 3)]
    # The trend: nothing drifting until the week ending Sun 6 Dec, when were overdue (A-3 blocked).
    assert [p["drifting"] for p in data["trend"]] == [0, 0, 0, 0, 0, 0, 0, 2, 2]
    assert [p["blocked"] for p in data["trend"]] == [0, 0, 0, 0, 0, 0, 0, 1, 1]
    problems = data["delivery_problems"]
    assert (problems["total"], problems["unreachable"], problems["stuck"]) == (1, 1, 0)
    assert [(d["ref"], d["step"], d["recipient"]["name"]) for d in problems["items"]] == [
        ("A-5", "confirmation", "Dr A. Khan (GP)")
    ]


def test_the_demo_report_is_for_dsls_only(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = report(capsys, "--as", "@sarah.patel")
    assert (code, out) == (1, "")


def test_the_demo_report_as_markdown(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = report(capsys, "--as", "@alex.morgan")
    assert code == 0
    assert (
        "- **Drifting (all reasons):** 3" in out
        and "- **Cannot be reached:** 1" in out
        and "| A-3 | Send attendance records | blocked |" in out
    )
    # what the chair can do about the owner nobody can reach, as a note; then the actions, then the summary
    assert "> Cannot be reached: 1 drifting action has an owner with no Slack, Teams or email" in out
    assert "or reassign the action (/reassign A-12 @someone because ...).\n\n## Drifting actions" in out
    assert out.index("## Drifting actions") < out.index("## Summary") < out.index("## By agency")
