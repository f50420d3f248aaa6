"""The core never imports a chat SDK; adapters stay where they belong."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SDKS = ("slack_bolt", "slack_sdk", "msgraph", "kiota_abstractions", "azure", "microsoft_teams")


def test_importing_the_whole_core_loads_no_chat_sdk() -> None:
    modules = sorted("bot." + p.stem for p in (ROOT / "bot").glob("*.py") if p.stem != "__init__") + sorted(
        "storage." + p.stem for p in (ROOT / "storage").glob("*.py") if p.stem != "__init__"
    )
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {SDKS!r})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_core_source_names_no_chat_sdk() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot").glob("*.py")
        if path.name != "compose.py"  # the composition root imports adapters lazily, by design
        and any(
            f"import {sdk}" in path.read_text(encoding="utf-8") or f"from {sdk}" in path.read_text(encoding="utf-8")
            for sdk in SDKS
        )
    ]
    assert offenders == []


def _imports(path: Path) -> set[str]:
    """The modules a file imports (anywhere in it, lazily too), by their dotted names."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_two_adapter_modules_import_each_other() -> None:
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts): _imports(path)
        for path in (ROOT / "handlers").rglob("*.py")
    }
    cycles = sorted((a, b) for a, imported in modules.items() for b in imported if a < b and a in modules.get(b, set()))
    assert cycles == []
