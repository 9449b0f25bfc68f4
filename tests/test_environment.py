"""The set-up files agree: one set of exact pins, two commands in the README, CI runs the same."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)$")


def lock_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            match = PIN.match(line)
            assert match, f"requirements.lock: '{line}' is not an exact pin name==version"
            pins[match[1].lower()] = match[2]
    return pins


def environment_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s+- ([A-Za-z0-9_.\-]+)==(\S+)$", line)
        if match:
            pins[match[1].lower()] = match[2]
    return pins


def test_lock_pins_torch_exactly_and_no_torchvision():
    pins = lock_pins()
    assert pins["torch"] == "2.13.0"
    assert "torchvision" not in pins


def test_environment_yml_matches_lock():
    assert environment_pins() == lock_pins()


def test_pyproject_dependencies_are_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = lock_pins()
    for requirement in project["dependencies"]:
        name, _, version = requirement.partition("==")
        assert name.lower() in pins, f"{name} is in pyproject.toml but not in requirements.lock"
        assert not version or pins[name.lower()] == version, f"{name}: {version} != lock"


def test_readme_has_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^\s*(make \w+)\s*$", readme, re.M)
    assert "make lab" in commands and "make test" in commands, commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^exec make test$", ci, re.M), ".ci/run must run the README's `make test`"


def test_every_data_file_is_in_the_manifest():
    from course_lib import data

    shipped = {
        str(p.relative_to(data.DATASETS_DIR))
        for p in data.DATASETS_DIR.rglob("*")
        if p.is_file() and p.suffix in {".npz", ".txt", ".png", ".pt", ".json"}
    }
    assert shipped == set(data.manifest())
    for entry in data.manifest().values():
        assert entry.source and entry.licence, entry.name


def test_supported_pythons_agree_everywhere():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.14"
    makefile = (ROOT / "Makefile").read_text()
    assert "ok = (3, 11) <= v <= (3, 13)" in makefile
    assert "python3.13 python3.12 python3.11" in makefile
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.11, 3.12 or 3.13" in readme


def test_binder_and_make_switch_off_the_news_the_same_way():
    assert "course_lib.build lab-settings" in (ROOT / "postBuild").read_text()
    assert "course_lib.build lab-settings" in (ROOT / "Makefile").read_text()
    assert "course_lib.build lab-settings" in (ROOT / "README.md").read_text()


def test_workflow_runs_the_readme_test_command_and_passes_actionlint():
    from course_lib import build

    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    assert "run: bash .ci/run" in workflow and "macos-latest" in workflow
    assert 'python: "3.13"' in workflow and "make lint" in workflow
    result = build.actionlint()
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_test_runs_the_notebooks_again_with_avx2_kernels_and_no_network():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest: $(STAMP)\n")[1].split("\n\n")[0]
    assert "$(AVX2) tests/offline $(PY) -m pytest" in recipe and "notebooks $(NBVAL)" in recipe
    assert (
        "ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2" in makefile
    )
