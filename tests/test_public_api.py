"""Every public function of course_lib is exercised by name in some unit test."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def public_functions() -> list[tuple[str, str]]:
    found = []
    for module in sorted((ROOT / "course_lib").rglob("*.py")):
        for node in ast.parse(module.read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                found.append((str(module.relative_to(ROOT)), node.name))
    return found


def test_every_public_function_is_named_in_a_test():
    tests = "\n".join(p.read_text() for p in (ROOT / "tests").glob("test_*.py"))
    untested = [
        f"{m}: {name}" for m, name in public_functions() if not re.search(rf"\b{name}\b", tests)
    ]
    assert not untested, "no unit test mentions:\n" + "\n".join(untested)
