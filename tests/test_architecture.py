"""The shape of the code: apps depend one way, and only settings read the environment."""

import ast
import re
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def test_apps_import_each_other_only_downwards():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=PROJECT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _variables_read(path):
    """Names of environment variables a module reads (os.environ.get/[], env_bool, env_list)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = ast.unparse(node.func)
            if function in {"os.environ.get", "os.environ.setdefault", "env_bool", "env_list"}:
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def _project_modules():
    skipped = {".venv", "node_modules", "data", "tests", "bench", ".git"}
    for path in PROJECT.rglob("*.py"):
        if not skipped & set(path.relative_to(PROJECT).parts):
            yield path


def test_only_settings_read_the_environment():
    readers = {
        str(path.relative_to(PROJECT))
        for path in _project_modules()
        if _variables_read(path) - {"DJANGO_SETTINGS_MODULE"}
    }
    allowed = {"config/gunicorn.conf.py"}  # gunicorn reads its own, before Django starts
    assert {r for r in readers if not r.startswith("config/settings/")} <= allowed


def test_env_example_lists_every_variable_the_code_reads():
    read = set().union(*(_variables_read(path) for path in _project_modules()))
    example = (PROJECT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert read - listed == set(), "add these to .env.example"
    assert listed - read == set(), "nothing reads these"
