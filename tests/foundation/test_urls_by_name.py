"""URLs by name: templates use {% url %}, Python uses reverse()/redirect(name), scripts get URLs
from the table rendered with {% url_table %} (yingji/web/templatetags/yingji_urls.py); nothing
spells a path of the platform itself.

The one documented convention: the JSON API's routes have no names (django-ninja), so a route
is the API root by name followed by the route's path (``core.links.api_url("alarms/")``,
``yingjiApi("alarms/")`` in scripts, ``{% url 'api-v1:api-root' %}incidents/geojson``) — the
path is then relative and never starts with ``/api/v1/``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.urls import URLResolver, get_resolver

YINGJI = Path(__file__).resolve().parents[2] / "yingji"

# A file may be listed here with the reason it must spell a path; keep it empty if at all possible.
ALLOWED: dict[str, str] = {}


def first_segments() -> set[str]:
    """The first path segment of every URL the platform serves (api/v1, live, incidents, r, map...)."""
    segments = {"static"}
    for pattern in get_resolver().url_patterns:
        route = str(pattern.pattern)
        if route:
            segments.add(route.rstrip("/") if route.startswith("api/") else route.split("/")[0])
        elif isinstance(pattern, URLResolver):
            segments |= {str(p.pattern).split("/")[0] for p in pattern.url_patterns} - {""}
    return segments


def literal_path_pattern() -> re.Pattern:
    prefixes = "|".join(sorted(map(re.escape, first_segments()), key=len, reverse=True))
    return re.compile(rf"(?<![\w.:/{{}}-])/(?:{prefixes})(?=[/\"'`?#\s]|$)"
                      r"|(?:href|action|src)\s*=\s*[\"']/[\"'#?]")


def relative(path: Path) -> str:
    return str(path.relative_to(YINGJI.parent))


def text_offenders(paths, pattern, skip_comments: bool = False) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if skip_comments and line.lstrip().startswith("//"):
                continue
            if pattern.search(line) and relative(path) not in ALLOWED:
                found.append(f"{relative(path)}:{number}: {line.strip()[:120]}")
    return found


def python_strings(tree: ast.AST):
    """String constants, except docstrings and the route paths in API decorators/add_router()."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                skip.add(id(body[0].value))
            for decorator in getattr(node, "decorator_list", []):
                skip |= {id(n) for n in ast.walk(decorator)}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "add_router":
            skip |= {id(n) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node


def test_the_pattern_catches_literal_paths():
    pattern = literal_path_pattern()
    for text in ['href="/incidents/3/"', "'/r/' + key", 'fetch("/api/v1/alarms/")', 'href="/"', '"/live/stream"',
                 'redirect("/duty/")', '<a href="/map/">']:
        assert pattern.search(text), text
    for text in ["{% url 'incident-detail' 3 %}", 'yingjiApi("alarms/")', "yingji/210902/S00/reading",
                 "https://example.org/incidents/", 'rstrip("/")', "a/b/r/c"]:
        assert not pattern.search(text), text


def test_templates_use_url_names():
    paths = sorted(YINGJI.glob("*/templates/**/*.html"))
    assert paths
    assert text_offenders(paths, literal_path_pattern()) == []


def test_scripts_get_urls_from_names():
    paths = sorted(p for p in YINGJI.glob("*/static/**/*.js") if "vendor" not in p.parts)
    assert paths
    assert text_offenders(paths, literal_path_pattern(), skip_comments=True) == []


@pytest.mark.parametrize("kind", ["views and apps", "everything else"])
def test_python_uses_reverse(kind):
    pattern = literal_path_pattern()
    paths = [p for p in sorted(YINGJI.rglob("*.py")) if "migrations" not in p.parts and p.name != "urls.py"]
    views = [p for p in paths if p.name in ("apps.py", "views.py", "public_views.py")]
    found = []
    for path in views if kind == "views and apps" else [p for p in paths if p not in views]:
        for node in python_strings(ast.parse(path.read_text(encoding="utf-8"))):
            if pattern.search(node.value) and relative(path) not in ALLOWED:
                found.append(f"{relative(path)}:{node.lineno}: {node.value[:80]!r}")
    assert found == []
