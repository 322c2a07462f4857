"""scripts/system-packages: what `make run`, `make test` and .ci/run need from Debian. Run here under
a PATH of our own that lacks the tests' commands, with stand-ins for id, sudo and apt-get: nothing is
installed for real, and nothing goes to the network."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system-packages"
# Packages whose commands are looked up on PATH, so missing under ours.
RUN_PACKAGES = ["nodejs", "npm"]
TEST_PACKAGES = ["poppler-utils", "libnss3-tools", "softhsm2", "opensc", "clamav"]


@pytest.fixture
def machine(tmp_path):
    """A PATH with cat and env only, and stand-ins that write down how they are called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("cat", "env"):
        (bin_dir / name).symlink_to(f"/usr/bin/{name}")
    calls = tmp_path / "calls"

    def stand_in(name: str, body: str) -> None:
        path = bin_dir / name
        path.write_text(f'#!/bin/sh\necho "{name} $*" >> {calls}\n{body}\n')
        path.chmod(0o755)

    def run(*arguments: str, uid: int = 1000, sudo: bool = False, **variables: str) -> subprocess.CompletedProcess:
        stand_in("id", f"echo {uid}")
        stand_in("apt-get", "exit 0")
        if sudo:
            stand_in("sudo", 'exec "$@"')
        env = {
            "PATH": str(bin_dir),
            "HOME": str(tmp_path),
            # The browser is not where the tests look for it either.
            "GUICHET_CHROMIUM": str(tmp_path / "no-chromium"),
            **variables,
        }
        return subprocess.run(  # noqa: S603 (our own script)
            ["/bin/bash", str(SCRIPT), *arguments], env=env, capture_output=True, text=True, check=False
        )

    def called() -> list[str]:
        return calls.read_text().splitlines() if calls.exists() else []

    run.called = called
    return run


def test_check_names_what_is_missing_for_each_profile(machine):
    tests = machine("--check", "test")
    assert tests.returncode == 1, tests.stderr
    assert set(tests.stdout.split()) >= {"chromium", *RUN_PACKAGES, *TEST_PACKAGES}
    run = machine("--check", "run")
    assert run.returncode == 1, run.stderr
    assert set(run.stdout.split()) >= set(RUN_PACKAGES)
    assert not set(run.stdout.split()) & {"chromium", *TEST_PACKAGES}
    assert machine.called() == [], "--check installs nothing"


def test_pretend_missing_adds_packages_once(machine):
    result = machine("--check", "run", GUICHET_PRETEND_MISSING="softhsm2 npm softhsm2")
    assert result.returncode == 1
    assert result.stdout.split().count("softhsm2") == 1
    assert result.stdout.split().count("npm") == 1


def test_not_root_without_sudo_says_what_to_install(machine):
    result = machine("test")
    assert result.returncode == 1
    assert "apt-get update && apt-get install -y " in result.stderr
    for package in ["chromium", *RUN_PACKAGES, *TEST_PACKAGES]:
        assert package in result.stderr
    assert machine.called() == ["id -u"], "nothing is installed"


def test_not_root_installs_through_sudo(machine):
    result = machine("test", sudo=True)
    assert result.returncode == 0, result.stderr
    calls = machine.called()
    assert calls[1:3] == [
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq",
        "apt-get update -qq",
    ]
    assert calls[3].startswith("sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ")
    assert set(calls[3].split()) >= {"chromium", *RUN_PACKAGES, *TEST_PACKAGES}


def test_root_installs_with_apt_get(machine):
    result = machine("run", uid=0)
    assert result.returncode == 0, result.stderr
    calls = machine.called()
    assert calls[0] == "id -u"
    assert calls[1] == "apt-get update -qq"
    assert calls[2].startswith("apt-get install -y -qq ")
    assert set(calls[2].split()) >= set(RUN_PACKAGES)
    assert not set(calls[2].split()) & {"chromium", *TEST_PACKAGES}


def test_skip_checks_nothing(machine):
    result = machine("test", GUICHET_SKIP_SYSTEM_PACKAGES="1")
    assert result.returncode == 0
    assert result.stdout == result.stderr == ""
    assert machine.called() == []
