"""The import graph by layer, read from the source (docs/architecture.md, "Layers").

The machinery at the bottom (tts/serving, tts/models, tts/frontend, tts/audio, tts/timing) never
imports the facade, the services over it or the composition layer — not at module level, not
lazily inside a function, not for type checking; the services never import the composition
layer. And importing the batching worker at run time loads none of them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "tts"

MACHINERY = ("tts.serving", "tts.models", "tts.frontend", "tts.audio", "tts.timing")
FACADE = ("tts.synthesizer", "tts.synthesis_run", "tts.speech_service")
SERVICES = ("tts.web", "tts.jobs", "tts.wyoming")
COMPOSITION = ("tts.apps", "tts.__main__")
ABOVE_MACHINERY = FACADE + SERVICES + COMPOSITION

TRANSITIONAL: set[tuple[str, str]] = set()  # no service imports the composition layer, not even lazily


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, root: Path = ROOT) -> set[str]:
    """Every module `path` imports, at any depth of its syntax tree (relative imports resolved)."""
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)  # `from tts import web`
    return found


def _within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _graph() -> dict[str, set[str]]:
    return {_module_name(p): {m for m in _imports(p) if m == "tts" or m.startswith("tts.")}
            for p in sorted(PACKAGE.rglob("*.py"))}


def _violations(lower: tuple[str, ...], higher: tuple[str, ...]) -> list[str]:
    return sorted(f"{module} imports {target}" for module, targets in _graph().items() if _within(module, lower)
                  for target in targets if _within(target, higher)
                  and not any(module == m and _within(target, (t,)) for m, t in TRANSITIONAL))


def test_the_reader_finds_lazy_relative_and_type_checking_imports(tmp_path):
    """The checker itself: an import inside a function, under TYPE_CHECKING, or relative counts."""
    pkg = tmp_path / "tts" / "serving"
    pkg.mkdir(parents=True)
    source = pkg / "probe.py"
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tts.jobs import service\n"
                      "def f():\n    from ..web import api\n    import tts.synthesizer\n", encoding="utf-8")
    found = _imports(source, tmp_path)
    assert {"tts.jobs", "tts.web.api", "tts.synthesizer"} <= found


def test_machinery_imports_nothing_above_it():
    assert _violations(MACHINERY, ABOVE_MACHINERY) == []


def test_services_do_not_import_the_composition_layer():
    assert _violations(SERVICES + FACADE, COMPOSITION) == []


def _builder_calls(path: Path) -> list[str]:
    """The calls in `path` that build a running service: Synthesizer.from_profile(...), JobService(...)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "from_profile" and \
                isinstance(func.value, ast.Name) and func.value.id == "Synthesizer":
            found.append("Synthesizer.from_profile")
        elif isinstance(func, ast.Name) and func.id == "JobService":
            found.append("JobService")
    return found


def test_every_entry_point_builds_through_the_one_builder():
    """Synthesizer.from_profile and JobService(...) are called only by the builder of the running
    service (tts/apps/service.py), so start-up wiring is written once for every entry point."""
    calls = sorted((path.relative_to(ROOT).as_posix(), call) for path in sorted(PACKAGE.rglob("*.py"))
                   for call in _builder_calls(path))
    assert calls == [("tts/apps/service.py", "JobService"), ("tts/apps/service.py", "Synthesizer.from_profile")]


@pytest.mark.parametrize("module", ["tts.serving.batching", "tts.serving.admission", "tts.serving.cache",
                                    "tts.serving.metrics", "tts.serving.memory", "tts.serving.profiles",
                                    "tts.serving.pump"])
def test_importing_serving_machinery_loads_no_higher_layer(module):
    code = (f"import sys, {module}; "
            "bad = sorted(m for m in sys.modules if m.split('.')[:2] in (['tts', 'web'], ['tts', 'jobs'], "
            "['tts', 'synthesizer'], ['tts', 'wyoming'], ['tts', 'apps'])); "
            "assert not bad, bad")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def _files_containing(pattern: str) -> list[str]:
    import re

    rx = re.compile(pattern)
    return sorted(p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py")
                  if rx.search(p.read_text(encoding="utf-8")))


def test_each_decision_is_written_once():
    """A numeric option's range is checked in one place (Limit.check, fed by the request builder
    and validation; the API's schema only shows LIMITS), voice aliases live in one table, and one
    function drains a stream into its Result."""
    assert _files_containing(r"\b(ge|le)=limit\.") == []
    assert _files_containing(r"must be between \{") == ["tts/options.py"]
    assert _files_containing(r"\"(onyx|zh-cn-xiaoxiaoneural|xiaogang)\"") == ["tts/expressive/voices.py"]
    assert _files_containing(r"for _ in (stream|self\.stream)\b") == ["tts/speech_service.py"]


def test_naming_an_ssml_voice_loads_no_torch():
    code = ("import sys; from tts.ssml import parse; "
            "doc = parse('<speak><voice name=\"zh-CN-YunxiNeural\">你好</voice></speak>', lambda w: []); "
            "assert 'baker-low' in repr(doc), doc; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


MAX_WEB_FUNCTION_LINES = 60


def test_no_function_in_the_web_layer_is_longer_than_a_screen():
    """Routes are module-level functions with dependencies and the page is built tab by tab, so
    no function (nested ones included) in tts/web runs past MAX_WEB_FUNCTION_LINES lines."""
    long = []
    for path in sorted((PACKAGE / "web").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_WEB_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []
