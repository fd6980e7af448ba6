"""The core never imports a platform library or an adapter (DESIGN: dependencies point inward)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import animabot

# Platform libraries stay in adapters/.
FORBIDDEN = ("telegram", "nio", "aiosmtplib", "phonenumbers", "android_sms_gateway", "adapters")
CORE = Path(animabot.__file__).parent


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_core_module_imports_a_platform_library_or_an_adapter() -> None:
    offenders = {
        str(path.relative_to(CORE)): sorted(_imported_roots(path) & set(FORBIDDEN))
        for path in CORE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_import_linter_contract_holds() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports)], capture_output=True, text=True,
                            cwd=CORE.parent, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def _layers_contract() -> dict[str, object]:
    pyproject = tomllib.loads((CORE.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = pyproject["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["type"] == "layers")


# Single modules every layer may use: settings, time, errors, texts, TOML reading.
SHARED_HELPERS = {"clock", "config", "csv_cells", "errors", "field_faults", "i18n", "redaction",
                  "toml_lines", "toml_reading"}


def test_every_package_of_the_core_has_a_layer() -> None:
    """A new package must take a place in the layers (or be named a shared helper): a
    package left out would escape the contract."""
    layered = {name.strip() for layer in _layers_contract()["layers"]  # type: ignore[attr-defined]
               for name in layer.replace(":", "|").split("|")}
    present = {path.stem if path.is_file() else path.name for path in CORE.iterdir()
               if (path.suffix == ".py" and path.stem != "__init__")
               or (path / "__init__.py").is_file()}
    assert present - layered - SHARED_HELPERS == set()
    assert layered & SHARED_HELPERS == set()


def test_the_domain_speaks_only_the_standard_library() -> None:
    """animabot/domain is below the store: it imports nothing but the standard library."""
    for path in (CORE / "domain").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                assert node.level == 1, f"{path.name} reaches out of animabot.domain"
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = [node.module] if isinstance(node, ast.ImportFrom) else [
                    alias.name for alias in node.names]
                for name in names:
                    root = (name or "").split(".")[0]
                    assert root in sys.stdlib_module_names or root == "__future__", (
                        f"{path.name} imports {name}")
