"""The parts the README draws do not reach into each other.

Every ``import`` in the package (at module level, inside functions and under ``TYPE_CHECKING``
alike: a type-only import still ties one part to another) is read with ``ast`` and checked
against the rules below. The checker is itself tried on a small package that breaks a rule, so
that a checker which finds nothing cannot pass by finding nothing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = "idcard_ocr"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

# part -> the parts it must not import. A part is the first package under idcard_ocr.
FORBIDDEN: dict[str, frozenset[str]] = {
    # The command line uses the contract and the recogniser itself; the service only by name.
    "cli": frozenset({"api"}),
    # Limits get the one store call they use handed in.
    "limits": frozenset({"storage", "api", "pipeline", "cli"}),
    # Synthetic cards and their scoring work on plain values.
    "synth": frozenset({"pipeline", "api", "storage", "limits", "cli"}),
    # Image bytes in, fields out: no HTTP, no money, no wire format.
    "pipeline": frozenset({"api", "storage", "limits", "cli", "contract", "client", "web"}),
    "storage": frozenset({"api", "pipeline", "cli", "limits", "client"}),
    # The SDK runs on callers' machines: the contract, never the server.
    "client": frozenset({"api", "storage", "pipeline", "limits", "cli", "synth", "web"}),
    # The contract is a leaf everyone may import.
    "contract": frozenset({"api", "storage", "pipeline", "limits", "cli", "client", "synth", "web"}),
    "domain": frozenset({"api", "storage", "pipeline", "limits", "cli", "client", "synth", "web"}),
}
# Names that build the contract's answer; they belong in idcard_ocr/contract alone.
WIRE_FORMAT_NAMES = frozenset({"api_data", "data_of", "answer_of", "MESSAGES"})


def _module_name(root: Path, path: Path) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if "." in target:
                yield node.lineno, target
            else:  # ``from idcard_ocr import api``: the names are the modules
                for alias in node.names:
                    yield node.lineno, f"{target}.{alias.name}"


def _part(module: str, package: str) -> str | None:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 and pieces[0] == package else None


def violations(root: Path) -> list[str]:
    """Every import under ``root`` (a package directory) that breaks :data:`FORBIDDEN`, and
    every definition of a wire-format name outside its ``contract`` part."""
    package = root.name
    found = []
    for path in sorted(root.rglob("*.py")):
        module = _module_name(root, path)
        own = _part(module, package)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = path.relative_to(root.parent)
        for line, target in _imported(tree, module, path.name == "__init__.py"):
            other = _part(target, package)
            if own is not None and other is not None and other in FORBIDDEN.get(own, frozenset()):
                found.append(f"{where}:{line}: {own} imports {target}")
        if own != "contract":
            for node in ast.walk(tree):
                defined = (
                    [node.name]
                    if isinstance(node, ast.FunctionDef | ast.ClassDef)
                    else [t.id for t in node.targets if isinstance(t, ast.Name)]
                    if isinstance(node, ast.Assign)
                    else []
                )
                for name in defined:
                    if name in WIRE_FORMAT_NAMES:
                        found.append(f"{where}:{node.lineno}: {own} defines {name} (the contract's)")
    return found


def test_no_part_reaches_into_another() -> None:
    assert violations(ROOT) == []


def test_every_part_named_in_the_rules_exists() -> None:
    parts = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    named = set(FORBIDDEN) | {other for others in FORBIDDEN.values() for other in others}
    assert named <= parts, named - parts


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("cli/scan.py", "from idcard_ocr.api.envelope import ApiError\n", "cli imports idcard_ocr.api"),
        ("cli/scan.py", "def f():\n    import idcard_ocr.api\n", "cli imports idcard_ocr.api"),
        ("cli/scan.py", "from idcard_ocr import api\n", "cli imports idcard_ocr.api"),
        ("limits/quota.py", "from ..storage.base import Store\n", "limits imports idcard_ocr.storage.base"),
        (
            "synth/scoring.py",
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from idcard_ocr.pipeline.types import Recognition\n",
            "synth imports idcard_ocr.pipeline.types",
        ),
        ("pipeline/types.py", "from idcard_ocr.contract.card import data_of\n", "pipeline imports"),
        ("pipeline/types.py", "class R:\n    def api_data(self): ...\n", "pipeline defines api_data"),
        ("storage/sql.py", "import idcard_ocr.pipeline\n", "storage imports idcard_ocr.pipeline"),
        ("client/_sync.py", "from idcard_ocr.api.access import sign_of\n", "client imports idcard_ocr.api"),
    ],
)
def test_the_check_finds_a_broken_rule(tmp_path: Path, path: str, source: str, expected: str) -> None:
    root = tmp_path / PACKAGE
    for part in {"cli", "limits", "synth", "pipeline", "storage", "client", "api", "contract"}:
        (root / part).mkdir(parents=True)
        (root / part / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / path).write_text(source)
    (root / "api" / "app.py").write_text("from idcard_ocr.storage.base import Store\n")  # allowed
    (root / "cli" / "serve.py").write_text('APP = "idcard_ocr.api.factory:make_app"\n')  # a string
    found = violations(root)
    assert len(found) == 1 and expected in found[0], found
