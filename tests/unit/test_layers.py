"""The layering rule: domain and logic code import neither boto3 nor (for pure domain code) Powertools;
and the package's import graph, read statically from the source (imports inside functions included), has no
cycle."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "newsdigest"
# Pure domain: no AWS, no Powertools. New pure packages (extraction/) join this list; a network module
# (feeds' fetcher: sockets/urllib3 allowed) joins LOGIC, which forbids only boto3/botocore.
PURE_DOMAIN = [
    "newsdigest.summarizer",
    "newsdigest.signing",
    "newsdigest.clock",
    "newsdigest.schedule_event",
    "newsdigest.articles.models",
    "newsdigest.articles.ids",
    "newsdigest.articles.timeline",
    "newsdigest.articles.daily_page",
    "newsdigest.subscriptions.models",
    "newsdigest.subscriptions.periods",
    "newsdigest.subscriptions.links",
    "newsdigest.subscriptions.emails",
    "newsdigest.fetcher",
    "newsdigest.feeds.parse",
    "newsdigest.feeds.text",
    "newsdigest.feeds.polling",
    "newsdigest.feeds.feed",
    "newsdigest.feeds.opml",
    "newsdigest.extraction",
    "newsdigest.extraction.command",
]
# Logic: no AWS (it receives stores and clients as arguments).
LOGIC = [
    "newsdigest.articles.ingest",
    "newsdigest.articles.catalog",
    "newsdigest.articles.summaries",
    "newsdigest.subscriptions.subscribers",
    "newsdigest.subscriptions.deliveries",
    "newsdigest.feeds.registry",
    "newsdigest.articles.pages",
    "newsdigest.feeds.runs",
    "newsdigest.wiring",  # builds the DAL lazily: importing it costs no boto3
]


_IMPORT_EACH = """
import json, sys
loaded, found = set(sys.modules), {}
for module in sys.argv[1:]:
    __import__(module)
    found[module] = sorted({name.split(".")[0] for name in set(sys.modules) - loaded})
    loaded = set(sys.modules)
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def imported_by() -> dict[str, set[str]]:
    """module -> the top-level packages that importing it loaded, in one fresh interpreter that imports the
    pure domain first, then the logic. A package loaded by none of them is loaded by no one of them; one
    that is, is charged to the first module that pulled it in (a failure names a culprit either way)."""
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, *PURE_DOMAIN, *LOGIC], capture_output=True, text=True, check=True
    )
    return {module: set(names) for module, names in json.loads(result.stdout).items()}


@pytest.mark.parametrize("module", PURE_DOMAIN + LOGIC)
def test_no_boto3_below_the_data_access_layer(module, imported_by):
    assert "boto3" not in imported_by[module] and "botocore" not in imported_by[module]


@pytest.mark.parametrize("module", PURE_DOMAIN)
def test_domain_code_needs_no_powertools(module, imported_by):
    assert "aws_lambda_powertools" not in imported_by[module]


# ---------------------------------------------------------------- import cycles
def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = ("newsdigest", *path.relative_to(package).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """module -> the package modules it imports, anywhere in its source (functions and TYPE_CHECKING too)."""
    modules = {module_name(p, package): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                    base = ".".join([*anchor, base] if base else anchor)
                targets.add(base)
                targets |= {f"{base}.{alias.name}" for alias in node.names}
        # `from a import b` names module a.b when there is one, else a name in a.
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 40 and "newsdigest.wiring" in graph["newsdigest.handlers.api"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function(tmp_path):
    package = tmp_path / "newsdigest"
    (package / "api").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "api" / "__init__.py").write_text("")
    (package / "api" / "app.py").write_text("def f():\n    from newsdigest.api import routes\n")
    (package / "api" / "routes.py").write_text("from . import service\n")
    (package / "api" / "service.py").write_text("from newsdigest.api.app import f\n")
    cycle = find_cycle(import_graph(package))
    assert cycle == [
        "newsdigest.api.app",
        "newsdigest.api.routes",
        "newsdigest.api.service",
        "newsdigest.api.app",
    ]


def test_extraction_imports_trafilatura_only_when_a_page_is_read(imported_by):
    # trafilatura costs a few hundred ms of cold start; a Lambda that never reads a page never pays it
    assert "trafilatura" not in imported_by["newsdigest.extraction"]
    assert "trafilatura" not in imported_by["newsdigest.extraction.command"]
