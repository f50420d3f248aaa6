"""The core never imports a chat SDK; adapters stay where they belong."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SDKS = (
    "slack_bolt",
    "slack_sdk",
    "msgraph",
    "kiota_abstractions",
    "azure",
    "microsoft_teams",
    "notifications_python_client",
)


def test_importing_the_whole_core_loads_no_chat_sdk() -> None:
    modules = sorted(_name(p) for p in (ROOT / "bot").rglob("*.py")) + sorted(
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
        for path in (ROOT / "bot").rglob("*.py")
        if path.name != "compose.py"  # the composition root imports adapters lazily, by design
        and any(
            f"import {sdk}" in path.read_text(encoding="utf-8") or f"from {sdk}" in path.read_text(encoding="utf-8")
            for sdk in SDKS
        )
    ]
    assert offenders == []


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST) -> set[str]:
    if isinstance(node, ast.ImportFrom) and node.module:
        return {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    return set()


def _imports(path: Path, *, lazy: bool = True) -> set[str]:
    """The modules a file imports, by their dotted names; lazily too unless `lazy` is false.

    Imports under `if TYPE_CHECKING:` are left out: they are for the type checker and never run.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for statement in node.body
        for child in ast.walk(statement)
    }
    nodes = ast.walk(tree) if lazy else iter(tree.body)
    return {name for node in nodes if id(node) not in type_only for name in _imported(node)}


# What each package of the core may import besides itself, `bot.config` and `storage` (see each __init__).
ALLOWED = {
    "bot.capture": set(),
    "bot.process": {"bot.capture"},
    "bot.actions": {"bot.capture", "bot.process"},
    "bot.chasing": {"bot.capture", "bot.actions"},
    "bot.governance": {"bot.capture", "bot.actions", "bot.process"},
    "bot.reports": {"bot.capture", "bot.actions", "bot.governance", "bot.process"},
}


def _package(name: str) -> str | None:
    return next((p for p in ALLOWED if name == p or name.startswith(p + ".")), None)


def test_each_core_package_imports_only_what_its_docstring_allows() -> None:
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        home = _package(_name(path))
        if home is None:
            continue
        for name in _imports(path):
            if name.split(".")[0] == "handlers":
                offenders.append(f"{_name(path)} -> {name}")
            elif name.startswith("bot.") and not (name + ".").startswith("bot.config."):
                other = _package(name)
                if other != home and other not in ALLOWED[home]:
                    offenders.append(f"{_name(path)} -> {name}")
            elif home in ("bot.capture", "bot.process") and name.split(".")[0] in ("storage", "sqlalchemy"):
                offenders.append(f"{_name(path)} -> {name}")
    assert offenders == []


def test_the_top_of_the_core_imports_adapters_only_lazily() -> None:
    offenders = [
        f"{_name(path)} -> {name}"
        for path in (ROOT / "bot").glob("*.py")
        for name in _imports(path, lazy=False)
        if name.split(".")[0] == "handlers"
    ]
    assert offenders == []


def test_storage_imports_nothing_from_the_core_or_the_adapters() -> None:
    offenders = [
        f"{_name(path)} -> {name}"
        for path in (ROOT / "storage").rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in ("bot", "handlers")
    ]
    assert offenders == []


def test_no_two_adapter_modules_import_each_other() -> None:
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts): _imports(path)
        for path in (ROOT / "handlers").rglob("*.py")
    }
    cycles = sorted((a, b) for a, imported in modules.items() for b in imported if a < b and a in modules.get(b, set()))
    assert cycles == []
