"""The hash-pinned lock files follow pyproject.toml: every dependency pinned there is locked at
the same version, and every locked release carries hashes (`pip install --require-hashes`).
After changing a dependency: `make lock`."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCKS = {"runtime": ROOT / "requirements/lock.txt", "dev": ROOT / "requirements/dev-lock.txt"}
_PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+)((?:\s*\\\n\s*--hash=sha256:[0-9a-f]{64})*)", re.M)


def _locked(path: Path) -> dict[str, tuple[str, int]]:
    """{name: (version, number of hashes)} of a pip-compile output."""
    return {
        canonicalize_name(name): (version, hashes.count("--hash="))
        for name, version, hashes in _PIN.findall(path.read_text())
    }


def _pinned(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for line in requirements:
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{line}: pin an exact version in pyproject.toml"
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("runtime", PYPROJECT["dependencies"]),
        ("dev", PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"]),
    ],
)
def test_lock_holds_every_pinned_dependency_at_its_version(lock, requirements):
    locked = _locked(LOCKS[lock])
    wrong = {
        name: (version, locked.get(name, ("missing", 0))[0])
        for name, version in _pinned(requirements).items()
        if locked.get(name, ("missing", 0))[0] != version
    }
    assert wrong == {}, "run `make lock`"


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_locked_release_has_hashes(lock):
    locked = _locked(LOCKS[lock])
    lines = [line for line in LOCKS[lock].read_text().splitlines() if "==" in line]
    assert len(locked) == len(lines)
    assert {name for name, (_version, hashes) in locked.items() if hashes == 0} == set()


def test_runtime_lock_holds_no_dev_tool():
    runtime = _locked(LOCKS["runtime"])
    dev_only = set(_pinned(PYPROJECT["optional-dependencies"]["dev"])) - set(
        _pinned(PYPROJECT["dependencies"])
    )
    assert dev_only & set(runtime) == set()


def _make_rule(target: str) -> str:
    """The recipe of a Makefile rule (its lines up to the next blank line)."""
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)*)", text, re.M)
    assert match, target
    return match.group(0)


def test_the_venv_is_installed_from_the_hashed_lock_only():
    rule = _make_rule("$(STAMP)")
    assert "requirements/dev-lock.txt" in rule.splitlines()[0]  # a new lock reinstalls
    installs = [line for line in rule.splitlines() if "pip install" in line]
    assert len(installs) == 2, installs
    assert "--require-hashes -r requirements/dev-lock.txt" in installs[0]
    assert "--no-deps" in installs[1] and "--no-build-isolation" in installs[1]


def test_make_test_runs_the_security_checks():
    assert "$(MAKE) --no-print-directory security" in _make_rule("test")
