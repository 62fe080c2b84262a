"""The layout keeps its rules: tests mirror the stages and share only tests/helpers/, and no
code outside connectors/ names a platform (import-linter checks the imports; this checks the
words)."""

from __future__ import annotations

import ast
from pathlib import Path

from connectors.registry import TYPES
from tests.helpers.paths import ROOT

STAGES = ("ingest", "posts", "publish", "ops", "services", "cli", "web")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_test_module_imports_another() -> None:
    """Shared fixtures and data live in tests/helpers/; a test module imports none of its
    siblings, so moving or deleting one never breaks another."""
    offenders = {}
    for path in (ROOT / "tests").rglob("*.py"):
        if "helpers" in path.parts or "fixtures" in path.parts:
            continue
        wrong = {
            name
            for name in imported_modules(path)
            if name.startswith("tests") and not name.startswith(("tests.helpers",))
        }
        if wrong:
            offenders[str(path.relative_to(ROOT))] = sorted(wrong)
    assert offenders == {}


def test_every_stage_has_its_tests() -> None:
    for stage in STAGES:
        assert (ROOT / "syndicator" / stage / "__init__.py").is_file(), stage
        assert list((ROOT / "tests" / stage).glob("test_*.py")), f"tests/{stage}/ has no tests"


def platform_words(path: Path) -> list[int]:
    """Lines of `path` where a string constant (not a docstring) is a platform's type."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in TYPES and id(node) not in docstrings
    ]


def test_no_code_outside_connectors_names_a_platform() -> None:
    """The core asks the registry what a channel's type can do; a `"zalo"` in its code would be
    a branch the next platform silently misses."""
    named = {
        str(path.relative_to(ROOT)): lines
        for folder in ("syndicator", "storage")
        for path in (ROOT / folder).rglob("*.py")
        if (lines := platform_words(path))
    }
    assert named == {}


def test_the_platform_check_sees_a_platform_in_code(tmp_path: Path) -> None:
    """The check above can fail: a branch on a platform's name is found, a docstring is not."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        f'"""Mentions {TYPES[0]} in prose."""\n\ndef kind(t):\n    return t == "{TYPES[0]}"\n',
        encoding="utf-8",
    )
    assert platform_words(sample) == [4]
