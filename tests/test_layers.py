"""The layers point one way: a module imports only from its own layer or the ones below.

    core <- embed <- ingest <- store <- workspace <- search <- themes <- roadmap <- insights
         <- export / qda <- hub <- cli / ui / bench

Imports of research_hub modules sit at the top of modules (function-level imports
are for heavy optional libraries only), and nothing imports a top-level `ingest`:
the repository's ingest/ folder installs as research_hub.ingest.
"""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = [
    ["research_hub.core"],
    ["research_hub.embed"],
    ["research_hub.ingest"],
    ["research_hub.store"],
    ["research_hub.workspace"],
    ["research_hub.search"],
    ["research_hub.themes"],
    ["research_hub.roadmap"],
    ["research_hub.insights"],
    ["research_hub.export", "research_hub.qda"],
    ["research_hub.hub", "research_hub"],
    ["research_hub.cli", "research_hub.ui", "research_hub.bench"],
]


def layer_of(module: str) -> int:
    """The layer of a research_hub module: the longest matching prefix decides."""
    best, rank = -1, None
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, rank = len(p), i
    assert rank is not None, f"{module} is in no layer: add it to LAYERS"
    return rank


def modules() -> dict[str, Path]:
    """Every module of the installed package, named as it is imported."""
    out = {}
    for base, package in ((ROOT / "research_hub", "research_hub"), (ROOT / "ingest", "research_hub.ingest")):
        for f in base.rglob("*.py"):
            parts = list(f.relative_to(base).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join([package, *parts])] = f
    return out


def imports(source: str, module: str, is_package: bool) -> list[tuple[str, int, bool]]:
    """(imported module, line, at top level) for every import of research_hub or ingest."""
    tree = ast.parse(source)
    top = {id(n) for n in tree.body}
    for stmt in tree.body:  # a module-level `if` or `try` block is top level too
        if isinstance(stmt, (ast.If, ast.Try)):
            top |= {id(n) for n in ast.walk(stmt) if not _inside_function(n, stmt)}
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            subs = [f"{base}.{a.name}" for a in node.names]
            names = [n for n in subs if _is_module(n)]
            if len(names) < len(subs):  # some names are attributes of `base` itself
                names.append(base)
        for name in names:
            if name.split(".")[0] in ("research_hub", "ingest"):
                found.append((name, node.lineno, id(node) in top))
    return found


def _inside_function(node, block) -> bool:
    for fn in ast.walk(block):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and node in ast.walk(fn):
            return True
    return False


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    parts = parts[:len(parts) - node.level + 1]
    return ".".join(parts + ([node.module] if node.module else []))


_KNOWN = None


def _is_module(name: str) -> bool:
    global _KNOWN
    if _KNOWN is None:
        _KNOWN = set(modules())
    return name in _KNOWN


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    mine = layer_of(module)
    out = []
    for name, line, at_top in imports(source, module, is_package):
        if name.split(".")[0] == "ingest":
            out.append(f"{module}:{line} imports top-level {name}; use research_hub.ingest")
            continue
        if layer_of(name) > mine:
            out.append(f"{module}:{line} imports {name}, a higher layer")
        if not at_top:
            out.append(f"{module}:{line} imports {name} inside a function; import it at the top")
    return out


def test_every_module_imports_only_its_own_layer_or_lower():
    found = []
    for module, path in sorted(modules().items()):
        found += violations(path.read_text(), module, path.name == "__init__.py")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("module,source", [
    ("research_hub.store.records", "from research_hub.hub import Hub\n"),
    ("research_hub.ingest.pipeline", "from research_hub.store import Database\n"),
    ("research_hub.core.models", "import research_hub.search\n"),
    ("research_hub.search.dense", "def f():\n    from research_hub.store.db import now\n"),
    ("research_hub.store.writer", "from ingest.types import Turn\n"),
])
def test_the_check_catches_an_upward_a_hidden_or_a_top_level_ingest_import(module, source):
    assert violations(source, module)


def test_a_downward_import_passes_the_check():
    assert not violations("from research_hub.core.errors import NotFoundError\n", "research_hub.store.records")


def test_every_package_folder_is_installed_under_research_hub():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == {"research_hub": "research_hub", "research_hub.ingest": "ingest"}
    packages = {m for m, p in modules().items() if p.name == "__init__.py"}
    assert set(config["packages"]) == packages
