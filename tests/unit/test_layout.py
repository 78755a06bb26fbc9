"""The parts of `bot/` depend only downward: core <- store <- ingest <- indexing <- answering
<- staff <- web. A module that imports upward (also inside a function) fails here; docs/design.md,
"Layout", says why the parts are ordered so."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"
ORDER = ["core", "store", "ingest", "indexing", "answering", "staff", "web"]
ENTRY_POINTS = {"bot.cli", "bot.__main__"}  # they start any part, nothing imports them


def part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 2 and pieces[1] in ORDER else "core"


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(BOT.rglob("*.py")):
        dotted = ".".join(path.relative_to(BOT.parent).with_suffix("").parts)
        found.append((dotted.removesuffix(".__init__"), path))
    return found


def imported(path: Path, module: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:  # relative import
                base = ".".join(module.split(".")[: -node.level] + [node.module])
            names |= {f"{base}.{alias.name}" for alias in node.names} | {base}
    return {n for n in names if n == "bot" or n.startswith("bot.")}


@pytest.mark.parametrize(("module", "path"), modules(), ids=lambda v: str(v))
def test_imports_point_downward(module: str, path: Path) -> None:
    if module in ENTRY_POINTS:
        return
    level = ORDER.index(part(module))
    upward = sorted(
        name
        for name in imported(path, module)
        if name not in ENTRY_POINTS and ORDER.index(part(name)) > level
    )
    assert not upward, f"{module} ({part(module)}) imports a higher part: {upward}"


def test_every_part_is_a_package() -> None:
    for name in ORDER[1:]:
        assert (BOT / name / "__init__.py").is_file(), name
