"""The drift report in every format: the same data everywhere, the marking, spreadsheets that stay inert,
and an HTML page checked in a real browser (headless Chromium) and printed to A4."""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import re
import shutil
import subprocess
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

import bot.reports.render
from bot.actions.directory import update_person
from bot.actions.people import PersonInput
from bot.app import Core
from bot.capture.grammar import parse_action
from bot.capture.owners import OwnerRef
from bot.config import DriftSettings
from bot.reports.as_json import report_dict
from bot.reports.as_slack import slack_blocks
from bot.reports.as_text import CSV_SECTIONS
from bot.reports.definitions import MARKING, REASONS, DriftReport
from bot.reports.drift import build_report
from bot.reports.filters import DriftFilters
from bot.reports.render import render
from bot.reports.weekly import weekly_message
from tests.conftest import IN_CI, Clock, london
from tests.drift_fixtures.scenario import (
    EXPECTED_HEADLINE,
    EXPECTED_ORDER,
    EXPECTED_TREND,
    NOW,
    SARAH,
    build_history,
)

LONDON = ZoneInfo("Europe/London")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SHEETS = {
    "Summary": "summary",
    "Drifting": "drifting",
    "By agency": "agencies",
    "By owner": "owners",
    "Meetings": "meetings",
    "Statutory": "statutory",
    "Statutory by agency, case": "statutory_by",
    "Trend": "trend",
    "Delivery": "delivery",
}


@pytest.fixture
def report(core: Core, clock: Clock) -> DriftReport:
    build_history(core, clock, snapshots=False)
    return build_report(core.db, core.settings, core.calendar, NOW, DriftFilters())


@pytest.fixture
def hostile(core: Core, clock: Clock) -> DriftReport:
    """An owner and a task written to break spreadsheets, pages and chat markup."""
    now = london(2026, 12, 1, 10)
    evil = PersonInput(OwnerRef("slack", "U0EVIL"))
    update_person(core.db, evil, name='=HYPERLINK("http://evil.example","click")', agency="@Agency", now=now)
    for text in (
        '<@U0EVIL> +1 <script>alert("x")</script> | pipe & amp by 4/12',
        "<@U0EVIL> @here check &lt;!channel&gt; and &lt;@U0SARAH&gt; by 4/12",  # typed: Slack escapes it
        "<@U0EVIL> see [click here](https://evil.example) ![img](https://evil.example/x.png) *now* _it_ by 4/12",
    ):
        core.service.record(parse_action(text, now, core.calendar), SARAH, now=now)
    return build_report(core.db, core.settings, core.calendar, NOW, DriftFilters())


# -- the same data in every format ------------------------------------------------------------------
def local_iso(text: str | None) -> str:
    return datetime.fromisoformat(text).astimezone(LONDON).isoformat(timespec="seconds") if text else ""


def s(value: Any) -> str:
    return "" if value is None else str(value)


def expected_tables(data: dict[str, Any]) -> dict[str, list[list[str]]]:
    """The tables every tabular format must hold, derived here from the JSON (independently of the renderers)."""
    cfg_labels = {
        "overdue": "Overdue",
        "extended": f"Deadline extended {data['thresholds']['extensions']} or more times",
        "silent": f"No update from the owner for {data['thresholds']['silence_working_days']} working days",
    }

    def label(code: str) -> str:
        return (
            cfg_labels.get(code)
            or {
                "review_missed": "Review date passed without a review",
                "owner_inactive": "Owner is inactive",
                "owner_unknown": "Owner cannot be reached (no Slack, Teams or email)",
                "blocked": "Blocked",
            }[code]
        )

    def tally(row: dict[str, Any]) -> list[str]:
        reasons = [s(row["reasons"][r]) for r in REASONS if r != "overdue"]
        return [s(row["open"]), s(row["overdue"]), s(row["drifting"]), s(row["done_this_week"]), *reasons]

    def yes(flag: bool) -> str:
        return "yes" if flag else "no"

    return {
        "drifting": [
            [
                i["ref"],
                i["task"],
                i["status"],
                i["owner"]["name"],
                s(i["owner"]["away_until"]),
                s(i["owner"]["agency"]),
                s(i["case_ref"]),
                s(i["meeting"]["title"] if i["meeting"] else None),
                i["recorded_by"],
                local_iso(i["created_at"]),
                local_iso(i["deadline"]),
                s(i["days_late"]),
                s(i["extensions"]),
                s(i["review_on"]),
                local_iso(i["owner_active_at"]),
                "; ".join(label(code) for code in i["reasons"]),
                s(i["latest_note"]),
            ]
            for i in data["drifting"]["items"]
        ],
        "agencies": [[a["agency"], *tally(a)] for a in data["agencies"]],
        "owners": [
            [o["name"], s(o["agency"]), yes(o["active"]), yes(o["reachable"]), *tally(o)]
            for o in data["owners"]["rows"]
        ],
        "meetings": [
            [
                s(m["id"]),
                m["title"],
                s(m["case_ref"]),
                m["chair"],
                local_iso(m["started_at"]),
                s(m["open"]),
                s(m["overdue"]),
                s(m["drifting"]),
            ]
            for m in data["meetings"]["rows"]
        ],
        "trend": [
            [
                "now" if p["current"] else p["week_ending"],
                local_iso(p["at"]),
                *(s(p[k]) for k in ("open", "drifting", "overdue", "blocked", "extended", "review_missed")),
            ]
            for p in data["trend"]
        ],
        "delivery": [
            [
                s(d["nudge_id"]),
                d["ref"],
                d["step"],
                d["problem"],
                d["recipient"]["name"],
                s(d["attempts"]),
                s(d["last_error"]),
                local_iso(d["at"]),
            ]
            for d in data["delivery_problems"]["items"]
        ],
    }


def undefuse(cell: str) -> str:
    """CSV cells that would run as formulas carry a leading apostrophe; the data is what follows."""
    return cell[1:] if cell[:2] in ("'=", "'+", "'-", "'@") else cell


def csv_tables(report: DriftReport) -> dict[str, list[list[str]]]:
    """Every table, each from its own ``--section`` CSV: loaded as a plain table, the marking column set aside."""
    tables: dict[str, list[list[str]]] = {}
    for key in CSV_SECTIONS:
        rows = list(csv.reader(io.StringIO(str(render(report, "csv", key)))))
        assert rows[0][0] == "Marking" and all(row[0] == MARKING for row in rows[1:]), key
        tables[key] = [[undefuse(cell) for cell in row[1:]] for row in rows]
    return tables


def xlsx_cell(cell: Any) -> str:
    value = cell.value
    if isinstance(value, datetime) and cell.number_format == "yyyy-mm-dd":
        return value.date().isoformat()  # a date cell (Excel keeps dates as date-times at midnight)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.replace(tzinfo=LONDON).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return s(value)


def xlsx_tables(data: bytes) -> dict[str, list[list[str]]]:
    workbook = load_workbook(io.BytesIO(data))
    tables = {}
    for title, key in SHEETS.items():
        rows = []
        for row in workbook[title].iter_rows(min_row=3):
            if all(c.value is None for c in row):
                break
            rows.append([xlsx_cell(c) for c in row])
        tables[key] = rows
    return tables


def test_every_format_holds_the_same_data(report: DriftReport) -> None:
    data = json.loads(render(report, "json"))
    assert data == report_dict(report)
    assert data["headline"] == EXPECTED_HEADLINE
    expected = expected_tables(data)
    from_csv = csv_tables(report)
    workbook = render(report, "xlsx")
    assert isinstance(workbook, bytes)
    from_xlsx = xlsx_tables(workbook)
    for key, rows in expected.items():
        assert from_csv[key][1:] == rows, key
        assert from_xlsx[key][1:] == rows, key
        assert from_csv[key][0] == from_xlsx[key][0], key  # the same headers
    assert from_csv["summary"] == from_xlsx["summary"]
    summary = dict(from_csv["summary"][1:])
    assert (summary["Open actions"], summary["Drifting (all reasons)"], summary["Overdue"]) == ("10", "8", "4")
    assert (summary["Done in the last 7 days"], summary["Median working days overdue"]) == ("1", "7.5")
    assert [row[0] for row in expected["drifting"]] == EXPECTED_ORDER

    # Markdown and HTML show the same cells as text.
    markdown = str(render(report, "md"))
    page = Tables.of(str(render(report, "html")))
    md_tables = markdown_tables(markdown)
    for key, title in (
        ("agencies", "By agency"),
        ("owners", "Owners with drift"),
        ("meetings", "Meetings with the most drift"),
        ("trend", "Trend: overdue, blocked, extended or review missed at the end of each of the last 8 weeks"),
        ("delivery", "Nudges not delivered"),
    ):
        assert page.tables[key] == md_tables[title], key
        assert len(page.tables[key]) == len(expected[key]) + 1
    assert page.tables["summary"] == md_tables["Summary"]
    for row, item in zip(md_tables["Drifting actions"][1:], data["drifting"]["items"], strict=True):
        assert row[0] == item["ref"]
        html_row = " ".join(page.rows_by_ref[item["ref"]])
        for value in (item["task"], item["owner"]["name"], row[9], *row[14].split("; ")):  # task, deadline, reasons
            assert value in html_row, (item["ref"], value)
    # Slack's blocks: the headline numbers and the top items, in order.
    blocks = json.dumps(slack_blocks(report))
    assert "8 of 10 open" in blocks and "*Overdue*\\n4" in blocks
    assert [ref for ref in re.findall(r"\*(A-\d+)\*", blocks)] == EXPECTED_ORDER


class Tables(HTMLParser):
    """Cell texts of an HTML page's tables, by table id, and the drifting table's rows by data-ref."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.rows_by_ref: dict[str, list[str]] = {}
        self.table: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.ref: str | None = None

    @classmethod
    def of(cls, html: str) -> Tables:
        parser = cls()
        parser.feed(html)
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self.table = attributes.get("id")
            self.tables[self.table or ""] = []
        elif tag == "tr":
            self.row, self.ref = [], attributes.get("data-ref")
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "span" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None and self.table is not None:
            self.tables[self.table].append(self.row)
            if self.ref:
                self.rows_by_ref[self.ref] = self.row
            self.row = None
        elif tag == "table":
            self.table = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def markdown_tables(text: str) -> dict[str, list[list[str]]]:
    tables: dict[str, list[list[str]]] = {}
    title = ""
    for line in text.splitlines():
        if line.startswith("## "):
            title = line[3:]
        elif line.startswith("| ") and title:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
            tables.setdefault(title, []).append(
                [c.replace("\\|", "|").replace("&lt;", "<").replace("&gt;", ">").replace("\\\\", "\\") for c in cells]
            )
    return tables


# -- markings ----------------------------------------------------------------------------------------
def test_every_format_is_marked(report: DriftReport) -> None:
    markdown = str(render(report, "md")).strip().splitlines()
    assert markdown[0] == markdown[-1] == f"**{MARKING}**"
    rows = list(csv.reader(io.StringIO(str(render(report, "csv")))))
    assert rows[0][0] == "Marking" and len(rows) > 1 and all(row[0] == MARKING for row in rows[1:])
    assert json.loads(render(report, "json"))["marking"] == MARKING
    html = str(render(report, "html"))
    assert html.count(f'<div class="marking" role="note">{MARKING}</div>') == 2
    assert html.count(f'content: "{MARKING}"') == 2  # the top and bottom margins of every printed page
    assert "@page" in html and "A4" in html
    assert f"<title>{MARKING}:" in html
    blocks = slack_blocks(report)
    assert MARKING in json.dumps(blocks[0]) and MARKING in json.dumps(blocks[-1])


# -- the workbook --------------------------------------------------------------------------------------
def test_workbook_sheets_frozen_headers_and_real_dates(report: DriftReport) -> None:
    data = render(report, "xlsx")
    assert isinstance(data, bytes)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == list(SHEETS)
    for ws in workbook.worksheets:
        assert ws["A1"].value == MARKING
        assert "Europe/London local time" in ws["A2"].value
        assert ws.freeze_panes == "A4"
        assert ws.oddHeader.center.text == MARKING and ws.oddFooter.center.text == MARKING
        assert ws.cell(ws.max_row, 1).value == MARKING
        assert all(cell.font.bold for cell in ws[3] if cell.value)
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A3:")  # every table filters
    assert workbook["Drifting"].auto_filter.ref == f"A3:{get_column_letter(workbook['Drifting'].max_column)}11"
    drifting = workbook["Drifting"]
    header = [c.value for c in drifting[3]]
    first = {name: drifting.cell(4, index + 1) for index, name in enumerate(header)}
    assert first["Ref"].value == "A-2"
    assert first["Deadline"].is_date and first["Deadline"].value == datetime(2026, 10, 23, 17, 0)
    assert first["Deadline"].number_format == "yyyy-mm-dd hh:mm"
    assert first["Recorded"].value == datetime(2026, 10, 12, 10, 0)  # 10:00 BST (09:00 UTC): local wall clock
    assert first["Review"].is_date and first["Review"].value == datetime(2026, 11, 2)
    assert first["Review"].number_format == "yyyy-mm-dd"
    assert first["Working days late"].data_type == "n" and first["Working days late"].value == 34
    trend = workbook["Trend"]
    assert [trend.cell(row, 4).value for row in range(4, 13)] == EXPECTED_TREND["drifting"]
    assert trend.cell(4, 1).value == datetime(2026, 10, 18) and trend.cell(12, 1).value == "now"
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=4, values_only=True) if row[0]}
    assert summary["Drifting (all reasons)"] == 8 and summary["Generated"] == datetime(2026, 12, 10, 10, 0)


def test_an_empty_table_says_so_in_the_workbook(core: Core, clock: Clock) -> None:
    data = render(build_report(core.db, core.settings, core.calendar, NOW, DriftFilters()), "xlsx")
    assert isinstance(data, bytes)
    workbook = load_workbook(io.BytesIO(data))
    for title in ("Drifting", "By owner", "Meetings", "Delivery"):
        assert workbook[title].cell(4, 1).value == "None this week", title


# -- hostile text -----------------------------------------------------------------------------------
def test_formulas_stay_text_in_csv_and_the_workbook(hostile: DriftReport) -> None:
    rows = list(csv.reader(io.StringIO(str(render(hostile, "csv")))))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "'@Agency" in cells
    assert any(c.startswith("'+1 <script>") for c in cells) and any(c.startswith("'@here check") for c in cells)
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells)
    data = render(hostile, "xlsx")
    assert isinstance(data, bytes)
    workbook = load_workbook(io.BytesIO(data))
    formulas = [c.coordinate for ws in workbook for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    owner = workbook["Drifting"].cell(4, 4)
    assert owner.value == '=HYPERLINK("http://evil.example","click")' and owner.data_type == "s"


def test_html_and_markdown_and_slack_escape_what_people_typed(hostile: DriftReport) -> None:
    html = str(render(hostile, "html"))
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    markdown = str(render(hostile, "md"))
    assert "<script>" not in markdown and "\\| pipe" in markdown
    assert "[click here](" not in markdown and "\\[click here\\](https://evil.example)" in markdown
    assert "![img]" not in markdown and "\\!\\[img\\]" in markdown and "\\*now\\* \\_it\\_" in markdown
    blocks = json.dumps(slack_blocks(hostile))
    assert "<!channel>" not in blocks and "&lt;!channel&gt;" in blocks
    assert "<@U0SARAH>" not in blocks and "&lt;@U0SARAH&gt;" in blocks
    assert "&amp; amp" in blocks
    assert "*now*" not in blocks and "_it_" not in blocks  # no typed emphasis reaches Slack


# -- Slack -----------------------------------------------------------------------------------------------
def test_slack_blocks_fit_block_kit(report: DriftReport) -> None:
    blocks = slack_blocks(report)
    json.dumps(blocks)  # plain data
    assert 3 <= len(blocks) <= 50
    assert blocks[1]["type"] == "header" and len(blocks[1]["text"]["text"]) <= 150
    for block in blocks:
        assert block["type"] in ("header", "section", "context", "divider")
        if block["type"] == "section":
            for text in [block.get("text", {}).get("text", "")] + [f["text"] for f in block.get("fields", [])]:
                assert len(text) <= 3000
            assert len(block.get("fields", [])) <= 10
    text = json.dumps(blocks)
    assert "2 nudges could not be delivered" in text
    assert "actionbot report drift --format xlsx" in text
    items = [b for b in blocks if b["type"] == "section" and b.get("text", {}).get("text", "").startswith("*A-")]
    assert len(items) == 8 and "34 working days late" in items[0]["text"]["text"]


def test_the_renderers_import_no_chat_sdk() -> None:
    modules: list[str] = []
    paths = list(Path(bot.reports.render.__file__).parent.glob("*.py"))
    assert {"as_slack.py", "as_html.py", "as_xlsx.py"} <= {path.name for path in paths}  # every renderer
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in modules if m.split(".")[0] in ("slack_sdk", "slack_bolt", "msgraph", "microsoft_teams")]


def test_unknown_format_is_refused(report: DriftReport) -> None:
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        render(report, "pdf")


# -- in a real browser -------------------------------------------------------------------------------
def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if IN_CI:
            pytest.fail("CI=true but chromium is not installed: the HTML report must be checked in a browser")
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")
    return found


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def test_the_page_in_headless_chromium(report: DriftReport, core: Core, tmp_path: Path) -> None:
    binary = _chromium()
    page = tmp_path / "drift.html"
    page.write_text(str(render(report, "html")), encoding="utf-8")
    dom = _run_chromium(binary, tmp_path / "profile-dom", "--dump-dom", page.as_uri()).stdout
    kpis = dict(re.findall(r'data-kpi="(\w+)"><span class="n">([^<]+)</span>', dom))
    assert kpis == {
        "open": "10",
        "drifting": "8",
        "overdue": "4",
        "median_days_overdue": "7.5",
        "done_this_week": "1",
        "cannot_be_reached": "1",  # one drifting action's owner has no Slack, Teams or email
        "delivery_problems": "2",
    }
    # the headline and the trend say what each counts, and the count that cannot be reached says what to do
    assert "Drifting (all reasons)" in dom and "Trend: overdue, blocked, extended or review missed" in dom
    assert 'actionbot people set "NAME" --email ADDRESS' in dom
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="trend-chart"' in dom
    assert [int(v) for v in re.findall(r'<g class="week" data-drifting="(\d+)"', dom)] == EXPECTED_TREND["drifting"]
    assert re.search(r"<(script|link|img|iframe)\b", dom) is None  # self-contained: nothing to fetch
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"drift-report-{core.db.dialect}.png"
    shot.unlink(missing_ok=True)
    _run_chromium(binary, tmp_path / "profile-shot", "--window-size=1100,2200", f"--screenshot={shot}", page.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_the_page_prints_on_a4_marked_on_every_page(report: DriftReport, core: Core, tmp_path: Path) -> None:
    binary = _chromium()
    try:
        from pypdf import PdfReader
    except ImportError:
        if IN_CI:
            pytest.fail("CI=true but pypdf is not installed: the printed report's markings cannot be checked")
        pytest.skip("pypdf is not installed (a dev dependency)")
    page = tmp_path / "drift.html"
    page.write_text(str(render(report, "html")), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"drift-report-{core.db.dialect}.pdf"
    pdf.unlink(missing_ok=True)
    _run_chromium(binary, tmp_path / "profile-pdf", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 2
    for number, printed in enumerate(reader.pages, start=1):
        width, height = float(printed.mediabox.width), float(printed.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points
        text = printed.extract_text()
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == MARKING, number  # the top margin
        assert text.count(MARKING) >= 2, number  # and the bottom one
        assert f"Page {number} of {len(reader.pages)}" in text
    assert os.path.getsize(pdf) > 10_000


def test_the_page_puts_the_drifting_actions_straight_after_the_headline(report: DriftReport) -> None:
    html = str(render(report, "html"))
    order = [html.index(f'id="{key}"') for key in ("headline", "drifting-heading", "trend-heading", "summary-heading")]
    assert order == sorted(order)


def test_the_weekly_message_and_slack_say_who_cannot_be_reached_and_what_to_do(report: DriftReport) -> None:
    advice = 'Add an address (actionbot people set "NAME" --email ADDRESS) or reassign the action'
    message = weekly_message(report, DriftSettings())
    assert any(note.startswith("Cannot be reached: 1 drifting action") and advice in note for note in message.notes)
    assert any(advice in str(block) for block in slack_blocks(report))
    assert "\u00b7 1 cannot be reached \u00b7" in (message.text or "")  # in the headline line
