"""The package layout holds: each stage imports only the stages below it, and nothing goes in circles.

Stages, lowest first: config, library, search, answer, web, evaluation, bench, with the CLI on top.
`web` and `bench` are leaves: only the CLI may import `web`, and nothing imports `bench`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

BOT = PROJECT_ROOT / "bot"
RANK = {"config": 0, "library": 1, "search": 2, "answer": 3, "web": 4, "evaluation": 4, "bench": 5, "cli": 6,
        "__main__": 7, "__init__": 0}
ONLY_FROM = {"web": {"web", "cli"}, "bench": {"bench"}}


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path) -> set[str]:
    """Every `bot...` module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "bot"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == "bot":
            found.add(node.module)
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(BOT.rglob("*.py"))}


def layering_violations(edges: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, targets in edges.items():
        here = stage_of(module)
        for target in targets:
            there = stage_of(target)
            if there == here:
                continue
            if there in ONLY_FROM and here not in ONLY_FROM[there]:
                bad.append(f"{module} imports {target}: only {sorted(ONLY_FROM[there])} may import bot.{there}")
            elif RANK.get(there, 99) >= RANK.get(here, 99) and there != "config":
                bad.append(f"{module} imports {target}, a stage at or above its own")
    return bad


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges.get(node, ())):
            if nxt not in edges:
                continue
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    return found


def test_every_stage_imports_only_the_stages_below_it():
    assert layering_violations(graph()) == []


def test_no_import_circles():
    assert cycles(graph()) == []


def test_at_most_four_modules_at_the_top_and_benchmarks_only_in_bench():
    top = sorted(p.name for p in BOT.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "cli.py", "config.py"]
    stray = [p for p in BOT.rglob("bench_*.py")]
    assert stray == []


@pytest.mark.parametrize("edges, expected", [
    ({"bot.library.a": {"bot.search.b"}, "bot.search.b": set()}, 1),
    ({"bot.search.b": {"bot.library.a"}, "bot.library.a": set()}, 0),
    ({"bot.evaluation.e": {"bot.web.app"}, "bot.web.app": set()}, 1),
    ({"bot.cli": {"bot.web.app"}, "bot.web.app": set()}, 0),
    ({"bot.answer.x": {"bot.bench.y"}, "bot.bench.y": set()}, 1),
])
def test_the_layering_check_catches_an_upward_import(edges, expected):
    assert len(layering_violations(edges)) == expected


def test_the_cycle_check_catches_a_circle():
    assert cycles({"bot.web.a": {"bot.web.b"}, "bot.web.b": {"bot.web.a"}}) != []
    assert cycles({"bot.web.a": {"bot.web.b"}, "bot.web.b": set()}) == []
