"""``actionbot teams package --out FILE``: the Teams app package (manifest.json + the two icons, zipped).

The manifest template is teams/manifest.json; ``${{NAME}}`` placeholders are filled from the
environment: the bot's and the Graph app's ids, the app id, the developer's name and web pages.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import ConfigError
from handlers.teams.settings import guid_var, url_var

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "teams"
ICONS = ("color.png", "outline.png")
_PLACEHOLDER = re.compile(r"\$\{\{([A-Z_]+)\}\}")
_HOST = re.compile(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def _values(environ: Mapping[str, str]) -> dict[str, str]:
    client_id = guid_var(environ, "TEAMS_CLIENT_ID")
    if client_id is None:
        raise ConfigError("TEAMS_CLIENT_ID is not set (the Azure Bot's Microsoft App ID)")
    domain = environ.get("TEAMS_BOT_DOMAIN", "").strip().lower()
    if domain and not _HOST.match(domain):
        raise ConfigError(f"TEAMS_BOT_DOMAIN must be a host name such as actionbot.example.gov.uk, not {domain!r}")
    pages: dict[str, str] = {}
    for name, path in (("TEAMS_WEBSITE_URL", "/"), ("TEAMS_PRIVACY_URL", "/privacy"), ("TEAMS_TERMS_URL", "/terms")):
        if environ.get(name, "").strip():
            url = url_var(environ, name, "")
            if urlsplit(url).scheme != "https":
                raise ConfigError(f"{name} must be an https:// URL")
            pages[name] = url
        elif domain:
            pages[name] = f"https://{domain}{path}"
        else:
            raise ConfigError(f"{name} is not set (or set TEAMS_BOT_DOMAIN to use https://DOMAIN{path})")
    version = environ.get("TEAMS_APP_VERSION", "").strip() or "1.0.0"
    if not _VERSION.match(version):
        raise ConfigError(f"TEAMS_APP_VERSION must look like 1.0.0, not {version!r}")
    return {
        "TEAMS_CLIENT_ID": client_id,
        "TEAMS_APP_ID": guid_var(environ, "TEAMS_APP_ID") or client_id,
        "GRAPH_CLIENT_ID": guid_var(environ, "GRAPH_CLIENT_ID") or client_id,
        "TEAMS_DEVELOPER_NAME": " ".join(environ.get("TEAMS_DEVELOPER_NAME", "").split())[:32] or "actionbot",
        "TEAMS_APP_VERSION": version,
        "BOT_DOMAIN": domain,
        **pages,
    }


def _fill(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, str):
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], node)
    if isinstance(node, list):
        return [_fill(item, values) for item in node]
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    return node


def manifest(environ: Mapping[str, str], template_dir: Path = TEMPLATE_DIR) -> dict[str, Any]:
    """The filled-in manifest. Raises ConfigError naming a missing or malformed variable."""
    values = _values(environ)
    template = json.loads((template_dir / "manifest.json").read_text(encoding="utf-8"))
    filled: dict[str, Any] = _fill(template, values)
    if values["BOT_DOMAIN"]:
        filled["validDomains"] = [values["BOT_DOMAIN"]]
    return filled


def build_package(out: Path, environ: Mapping[str, str], template_dir: Path = TEMPLATE_DIR) -> Path:
    """Write the zip Teams admins upload (Teams admin centre, or Apps > Manage your apps > Upload)."""
    if not (template_dir / "manifest.json").is_file():
        raise ConfigError(f"the Teams manifest template is missing: {template_dir / 'manifest.json'}")
    data = json.dumps(manifest(environ, template_dir), indent=2, ensure_ascii=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", data)
        for icon in ICONS:
            archive.write(template_dir / icon, icon)
    return out
