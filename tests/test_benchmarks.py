"""benchmarks/: every module imports, imports run one way, and there is one pool of sentences."""

from __future__ import annotations

import ast
import importlib

import pytest

from tests.conftest import ROOT

BENCHMARKS = ROOT / "benchmarks"
MODULES = sorted(p.stem for p in BENCHMARKS.glob("*.py") if p.stem != "__init__")


def import_graph() -> dict[str, set[str]]:
    """For each benchmark module, the benchmark modules it imports, at the top or inside a function."""
    graph: dict[str, set[str]] = {}
    for name in MODULES:
        tree = ast.parse((BENCHMARKS / f"{name}.py").read_text(encoding="utf-8"))
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("benchmarks.")}
            elif isinstance(node, ast.ImportFrom) and node.module == "benchmarks":
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("benchmarks."):
                found.add(node.module.split(".")[1])
        graph[name] = found
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


@pytest.mark.parametrize("name", MODULES)
def test_every_benchmark_module_imports(name):
    importlib.import_module(f"benchmarks.{name}")


def test_the_cycle_finder_finds_a_cycle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_benchmark_imports_have_no_cycle():
    graph = import_graph()
    assert set().union(*graph.values()) <= set(MODULES), "import of a benchmark module that does not exist"
    assert graph["generate"] and graph["bench_topics"]  # the parser sees the imports that were a cycle
    assert cycle(graph) is None, f"import cycle: {' -> '.join(cycle(graph))}"


def test_one_pool_of_example_sentences():
    """Only benchmarks/sentences.py reads the example texts; the benchmarks draw from it."""
    from benchmarks import bench_topics, generate, sentences

    for name in MODULES:
        if name == "sentences":
            continue
        tree = ast.parse((BENCHMARKS / f"{name}.py").read_text(encoding="utf-8"))
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert not defined & {"sentences", "survey_pools", "document_pools"}, name
    assert generate.survey_pools is sentences.survey_pools and generate.document_pools is sentences.document_pools
    assert bench_topics.document_pools is sentences.document_pools
    merged = sentences.answers_per_question()
    answers, _ = sentences.survey_pools()
    assert sorted(merged) == sorted({q for _, q in answers})
    assert sum(map(len, merged.values())) == sum(map(len, answers.values()))
