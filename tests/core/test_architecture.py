"""What import-linter cannot see: names imported from a module, not modules.

The layers themselves are import-linter contracts in pyproject.toml (`lint-imports`,
run by `make test`); this adds the rule that no domain module reads the request.
"""

import ast
from pathlib import Path

import pytest

BLOG = Path(__file__).resolve().parents[2] / "blog"
DOMAIN = ["posts", "comments", "accounts", "imports", "mail"]
REQUEST_STATE = {"request", "session", "g"}


def domain_modules() -> list[Path]:
    return sorted(path for part in DOMAIN for path in (BLOG / part).rglob("*.py"))


def request_names(path: Path) -> set[str]:
    """Names of flask's per-request state imported by the module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask.globals"):
            found |= {alias.name for alias in node.names} & REQUEST_STATE
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "flask" and node.attr in REQUEST_STATE:
                found.add(node.attr)
    return found


@pytest.mark.parametrize("path", domain_modules(), ids=lambda path: str(path.relative_to(BLOG)))
def test_domain_modules_do_not_read_the_request(path):
    assert request_names(path) == set()


def test_the_check_sees_a_request_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from flask import current_app, request\nimport flask\nflask.g.x = 1\n")
    assert request_names(sample) == {"request", "g"}


def test_the_package_root_holds_at_most_eight_modules():
    assert len(list(BLOG.glob("*.py"))) <= 8


def test_every_admin_url_is_served_by_the_author_blueprint_alone(app):
    admin_rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")]
    assert admin_rules
    assert {rule.endpoint.split(".")[0] for rule in admin_rules} == {"author"}
    guards = app.before_request_funcs
    assert [f.__name__ for f in guards.get("author", [])] == ["require_author"]
    assert not any("author" in key for key in guards if key not in (None, "author"))
