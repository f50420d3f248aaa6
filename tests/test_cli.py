"""The ``actionbot`` command's contracts: output formats, exit statuses, messages on stderr."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

NOW = "--now=2026-11-23T10:00:00"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    captured = capsys.readouterr()
    return code, out.getvalue() + captured.out, captured.err


# -- parse ----------------------------------------------------------------------------------------
def test_parse_prints_the_documented_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "parse", NOW, "<@U0OWNER1> Share CAD log #CR-1042 by Friday review 7/12")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "owner": {"kind": "slack", "value": "U0OWNER1"},
        "task": "Share CAD log",
        "deadline": "2026-11-27T17:00:00+00:00",
        "review": "2026-12-07",
        "case_ref": "CR-1042",
        "warnings": [],
    }


def test_parse_loads_no_database_stack() -> None:
    """A one-shot `actionbot parse` imports what reading text needs, not SQLAlchemy, Alembic or a chat SDK."""
    script = (
        "import sys\nfrom bot.cli import main\n"
        "assert main(['parse', '@jo Send the chronology by Friday', '--now', '2026-11-23T10:00']) == 0\n"
        "heavy = {'sqlalchemy', 'alembic', 'storage', 'slack_sdk', 'msgraph', 'openpyxl', 'jinja2'}\n"
        "print('loaded:' + ','.join(sorted({m.split('.')[0] for m in sys.modules} & heavy)))\n"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
    assert '"owner"' in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "loaded:"


def test_parse_in_another_time_zone(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "parse", NOW, "--tz", "America/New_York", "@jo Call by Friday")
    assert code == 0 and json.loads(out)["deadline"] == "2026-11-27T22:00:00+00:00"


def test_parse_refusal_exits_2_with_nothing_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "parse", NOW, "@jo Share CAD log by 31/02")
    assert (code, out) == (2, "")
    assert "31/02 is not a real date" in err and "Example:" in err


def test_parse_bad_options_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "parse", "--now", "yesterday", "@jo x by Friday")[0] == 2
    assert run(capsys, "parse", "--tz", "Mars/Olympus", "@jo x by Friday")[0] == 2


def test_parse_reads_lines_from_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("@jo Call school by Friday\n\n@jo no deadline\n<@U1> x in 2 days\n"))
    code, out, _ = run(capsys, "parse", NOW, "-")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 3
    assert rows[0]["deadline"] == "2026-11-27T17:00:00+00:00"
    assert "There is no deadline" in rows[1]["error"]
    assert rows[2]["owner"] == {"kind": "slack", "value": "U1"}


# -- actions --------------------------------------------------------------------------------------
def test_add_change_list_export_and_audit(capsys: pytest.CaptureFixture[str], cli_url: str, tmp_path: Path) -> None:
    code, out, _ = run(
        capsys, "action", "add", "--as", "<@U0CHAIR>", NOW, "--json", "<@U0OWNER1> Share CAD log by Friday"
    )
    assert code == 0 and json.loads(out)["ref"] == "A-1"
    code, out, err = run(capsys, "action", "done", "A-1", "--as", "<@U0NOBODY>", NOW)
    assert code == 1 and "Nothing was changed" in err
    code, out, _ = run(
        capsys, "action", "extend", "A-1", "--to", "Friday week", "--reason", "awaiting records",
        "--as", "<@U0OWNER1>", NOW, "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["deadline"] == "2026-12-04T17:00:00+00:00"
    code, out, err = run(capsys, "action", "review", "A-1", "--as", "<@U0NOBODY>", NOW)
    assert code == 1 and "Nothing was changed" in err
    code, out, _ = run(capsys, "action", "review", "A-1", "--note", "still right", "--as", "<@U0CHAIR>", NOW)
    assert code == 0
    code, out, _ = run(capsys, "action", "list", "--as", "<@U0CHAIR>", NOW)
    assert code == 0 and out.startswith("A-1  Share CAD log  (U0OWNER1, by Fri 4 Dec, 17:00)")

    code, out, _ = run(capsys, "export", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 1 and rows[0]["ref"] == "A-1" and rows[0]["extensions"] == 1
    target = tmp_path / "events.csv"
    code, _, err = run(capsys, "export", "--events", "--out", str(target))
    events = list(csv.DictReader(target.open(encoding="utf-8")))
    assert code == 0 and "Wrote 3 records (events)" in err
    assert [e["kind"] for e in events] == ["created", "extended", "reviewed"]
    assert events[1]["reason"] == "awaiting records"

    code, out, _ = run(capsys, "audit", "verify")  # the two exports are in the log too
    assert (code, out.strip()) == (0, "OK: 5 events, chain intact.")


def test_an_idempotency_key_records_once(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    for _ in range(2):
        assert run(capsys, "action", "add", "--as", "<@U0CHAIR>", NOW, "--key", "k1", "<@U1> x by Friday")[0] == 0
    _, out, _ = run(capsys, "export", "--format", "jsonl")
    assert len(out.splitlines()) == 1


def test_changes_need_an_actor(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    code, _, err = run(capsys, "action", "add", NOW, "<@U1> x by Friday")
    assert code == 2 and "--as PERSON is required" in err
    code, _, err = run(capsys, "action", "add", "--as", "#nobody!", NOW, "<@U1> x by Friday")
    assert code == 2 and "is not a person" in err


def test_csv_export_defuses_formulas(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    run(capsys, "action", "add", "--as", "<@U0CHAIR>", NOW, '<@U1> =HYPERLINK("http://x") by Friday')
    _, out, _ = run(capsys, "export", "--format", "csv")
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["task"].startswith("'=HYPERLINK")


def test_typed_text_never_drives_the_operators_terminal(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    code, out, err = run(capsys, "action", "add", "<@U1> Call \x1b]0;pwned\x07 the school by Friday", "--as", "<@UC>")
    assert (code, out) == (2, "") and "control character (U+001B)" in err and "\x1b" not in err
    # A name from a directory is not typed at our door; printing it still cannot drive the terminal.
    assert run(capsys, "people", "set", "<@U1>", "--name", "Jo \x1b[2J\u202eBloggs")[0] == 0
    assert run(capsys, "action", "add", "<@U1> Call the school by Friday", "--as", "<@UC>", NOW)[0] == 0
    code, out, _ = run(capsys, "action", "list", "--as", "<@UC>", NOW)
    assert code == 0 and "Jo \\u001b[2J\\u202eBloggs" in out and "\x1b" not in out and "\u202e" not in out
    code, out, _ = run(capsys, "action", "list", "--as", "<@UC>", "--json", NOW)
    assert json.loads(out)["owner"] == "Jo \x1b[2J\u202eBloggs"  # JSON keeps the value: \\uXXXX is its own escape


def test_people_roles(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    code, out, _ = run(capsys, "people", "set-role", "dsl@council.example.gov.uk", "dsl")
    assert code == 0 and "is now dsl" in out
    code, out, _ = run(capsys, "people", "set", "@sam", "--name", "Sam Lee", "--agency", "Oakfield Primary")
    assert code == 0
    code, out, _ = run(capsys, "people", "list")
    assert "Sam Lee" in out and "Oakfield Primary" in out and "dsl" in out


def test_a_person_is_named_as_the_shell_passes_a_quoted_name(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    # `actionbot people set "Mrs Patel (school DSL)" ...`: the shell has taken the quotes off
    for number, name in enumerate(("Jo Bloggs", "Dr A. Khan", "Mrs Patel (school DSL)")):
        code, out, err = run(
            capsys, "people", "set", name, "--email", f"p{number}@school.example", "--agency", "School"
        )
        assert code == 0 and f"Saved {name}" in out, err
    code, out, _ = run(capsys, "people", "list")
    assert "Dr A. Khan" in out and "Mrs Patel (school DSL)" in out


def test_a_change_to_a_person_is_written_to_the_log_without_their_details(
    capsys: pytest.CaptureFixture[str], cli_url: str
) -> None:
    assert run(capsys, "people", "set", "@sam", "--name", "Sam Lee", "--agency", "Oakfield Primary")[0] == 0  # new
    assert run(capsys, "people", "set", "@sam", "--agency", "Oakfield Primary")[0] == 0  # no change
    code, _, _ = run(
        capsys, "people", "set", "@sam", "--name", "Samuel Lee", "--email", "samuel.lee@oakfield.example.org",
        "--active", "no", "--escalation", "@head", "--reason", "left  Oakfield",
    )  # fmt: skip
    assert code == 0
    _, out, _ = run(capsys, "people", "list")
    head_id = next(int(line.split()[0]) for line in out.splitlines() if "head" in line)
    _, out, _ = run(capsys, "export", "--person", "@sam")
    [change] = json.loads(out)["record_changes"]
    assert change["reason"] == "left Oakfield"
    assert change["details"]["changed"] == ["display_name", "email", "active", "escalation_contact_id"]
    assert change["details"]["active"] == {"from": True, "to": False}
    assert change["details"]["escalation_contact_id"] == {"from": None, "to": head_id}
    assert "Samuel" not in json.dumps(change) and "oakfield.example.org" not in json.dumps(change)
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "OK: 2 events" in out  # the change and the export


def test_a_role_change_is_written_to_the_log(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    dsl = "dsl@council.example.gov.uk"
    assert run(capsys, "people", "set-role", dsl, "dsl", "--reason", "new  DSL for Oakfield")[0] == 0
    assert run(capsys, "people", "set-role", dsl, "dsl")[0] == 0  # no change: nothing more is logged
    assert run(capsys, "people", "set-role", dsl, "member", "--reason", "left the post")[0] == 0
    assert run(capsys, "people", "set-role", dsl, "admin", "--reason", "x" * 1001)[0] == 1  # reason too long
    _, out, _ = run(capsys, "export", "--person", dsl)
    changes = json.loads(out)["role_changes"]
    assert [(c["details"]["from"], c["details"]["to"], c["reason"]) for c in changes] == [
        ("member", "dsl", "new DSL for Oakfield"),
        ("dsl", "member", "left the post"),
    ]
    _, out, _ = run(capsys, "export", "--person", dsl, "--format", "csv")
    assert [row["reason"] for row in csv.DictReader(io.StringIO(out)) if row["record"] == "role_changes"] == [
        "new DSL for Oakfield",
        "left the post",
    ]
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "OK: 4 events" in out  # the two role changes and the two exports


def test_unmigrated_database_names_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    code, out, err = run(capsys, "action", "list", "--as", "@x")
    assert code == 2 and "Run: actionbot db upgrade" in err
    assert run(capsys, "db", "upgrade")[0] == 0
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and "is current" in out


def test_unreachable_database_is_one_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://someone:hunter2@127.0.0.1:1/test")
    code, _, err = run(capsys, "audit", "verify")
    assert code == 2
    assert err.count("\n") == 1 and "cannot use the database" in err and "hunter2" not in err


def test_console_script_runs(tmp_path: Path) -> None:
    """The installed entry point, as a newcomer runs it."""
    exe = Path(sys.executable).with_name("actionbot")
    result = subprocess.run(
        [str(exe), "parse", NOW, "@jo Call school by next Friday"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["deadline"] == "2026-12-04T17:00:00+00:00"


def test_the_console_reaches_whom_it_can_address(tmp_path: Path) -> None:
    """`actionbot console` (as `make console` runs it): an @handle owner is reachable there; a quoted name
    with no address is named to the chair as unreachable."""
    exe = Path(sys.executable).with_name("actionbot")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}"}
    env.pop("ACTIONBOT_AS", None)
    env.pop("ACTIONBOT_CONFIG", None)
    for argv in (["db", "upgrade"], ["people", "set-role", "@chair", "chair"]):
        subprocess.run([str(exe), *argv], env=env, capture_output=True, text=True, check=True)
    typed = '/action @jo Call the school by Friday\n/action "Dr Khan" Send the summary by Friday\n/actions all\n'
    result = subprocess.run([str(exe), "console"], input=typed, env=env, capture_output=True, text=True, check=True)
    assert "Please check A-1" not in result.stdout  # @jo: no warning at all
    assert "Dr Khan cannot be reached" in result.stdout
    listed = [line for line in result.stdout.splitlines() if line.strip().startswith(("A-1 ", "A-2 "))]
    assert [("CANNOT BE REACHED" in line) for line in listed] == [False, True]


def test_people_away_sets_and_ends_leave_with_a_cover(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    code, out, _ = run(capsys, "people", "away", "@jo", "until", "in", "2", "weeks", "cover", "@sam")
    assert code == 0 and out.startswith("@jo is away until ") and out.endswith("(cover: @sam).\n")
    _, listed, _ = run(capsys, "people", "list")
    [jo] = [line for line in listed.splitlines() if "@jo" in line]
    assert "away until " in jo and "(cover: @sam)" in jo
    code, out, err = run(capsys, "people", "away", "@jo", "until", "whenever")
    assert (code, out) == (2, "") and "I could not read a last day in \u201cwhenever\u201d" in err
    assert run(capsys, "people", "away", "@jo", "off")[1] == "@jo is back.\n"


def test_people_away_refuses_a_cover_nobody_can_reach(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    """As /away does: a cover nobody known, or known with no address or account, would take the reminders to
    no one (the command line made up a person "Zed Unknown" and set them as cover)."""
    assert run(capsys, "people", "set", "Sam Lee")[0] == 0
    for cover in ("Zed Unknown", "Sam Lee"):
        code, out, err = run(capsys, "people", "away", "@jo", "until", "in", "2", "weeks", "cover", *cover.split())
        assert (code, out) == (1, "") and f"{cover} cannot be reached by actionbot" in err, err
        assert "Nothing was changed" in err
    _, listed, _ = run(capsys, "people", "list")
    assert "Zed Unknown" not in listed and "away" not in listed
    assert run(capsys, "people", "set", "Sam Lee", "--email", "sam@x.example")[0] == 0
    code, out, _ = run(capsys, "people", "away", "@jo", "until", "in", "2", "weeks", "cover", "Sam", "Lee")
    assert code == 0 and out.endswith("(cover: Sam Lee).\n")


def test_people_set_working_days(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    assert run(capsys, "people", "set", "@jo", "--working-days", "Mon-Wed")[0] == 0
    _, listed, _ = run(capsys, "people", "list")
    assert "works Mon, Tue, Wed" in next(line for line in listed.splitlines() if "@jo" in line)
    code, _, err = run(capsys, "people", "set", "@jo", "--working-days", "Wed-Mon")
    assert code != 0 and "runs backwards" in err


def test_leave_is_in_the_persons_subject_access_export(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    assert run(capsys, "people", "away", "@jo", "until", "in", "2", "weeks", "cover", "@sam")[0] == 0
    assert run(capsys, "people", "away", "@jo", "off")[0] == 0
    _, out, _ = run(capsys, "export", "--person", "@jo")
    document = json.loads(out)
    assert [row["kind"] for row in document["leave"]] == ["away_set", "away_ended"]
    assert document["subject"]["away_until"] is None and document["subject"]["working_days"] is None
    _, out, _ = run(capsys, "export", "--person", "@jo", "--format", "csv")
    assert [row["kind"] for row in csv.DictReader(io.StringIO(out)) if row["record"] == "leave"] == [
        "away_set",
        "away_ended",
    ]


def test_people_set_digest(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    assert run(capsys, "people", "set", "@jo", "--digest", "yes")[0] == 0
    assert json.loads(run(capsys, "export", "--person", "@jo")[1])["subject"]["digest"] is True
    assert run(capsys, "people", "set", "@jo", "--digest", "default")[0] == 0
    assert json.loads(run(capsys, "export", "--person", "@jo")[1])["subject"]["digest"] is None


def test_extend_by_a_length_of_time_counts_from_the_deadline(capsys: pytest.CaptureFixture[str], cli_url: str) -> None:
    code, out, _ = run(
        capsys, "action", "add", "--as", "<@U0CHAIR>", NOW, "--json", "<@U0OWNER1> Share CAD log by Friday"
    )
    assert code == 0 and json.loads(out)["deadline"] == "2026-11-27T17:00:00+00:00"
    code, out, _ = run(
        capsys, "action", "extend", "A-1", "--to", "by 2 working days", "--reason", "awaiting records",
        "--as", "<@U0OWNER1>", NOW, "--json",
    )  # fmt: skip
    extended = json.loads(out)
    assert code == 0 and extended["deadline"] == "2026-12-01T17:00:00+00:00"  # Fri 27 Nov + 2 working days
    assert "is counted from the deadline it had, Fri 27 Nov" in extended["warnings"][0]
