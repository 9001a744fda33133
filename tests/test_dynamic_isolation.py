"""Dynamic mode's isolation: which one is chosen, the command lines, and the namespace path on a tiny child.

Fast: nothing here imports TensorFlow (tests/test_dynamic.py runs the real harness under both paths, marked slow).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kerassniff.dynamic import isolation
from kerassniff.dynamic.runner import DynamicOptions, harness_command

SCRATCH = Path("/tmp/kerassniff-dynamic-x/run0")


PROBE = isolation.works  # the cached probe (some tests replace it)


@pytest.fixture(autouse=True)
def _fresh_probes():
    PROBE.cache_clear()
    yield
    PROBE.cache_clear()


def command(method: str) -> list[str]:
    return harness_command("train.py", SCRATCH, SCRATCH / "report.json", SCRATCH / "hints.json", DynamicOptions(),
                           method)


def test_the_unshare_command_gives_the_child_its_own_namespaces_and_asks_it_to_seal() -> None:
    line = command("unshare")
    assert line[:5] == ["unshare", "--net", "--mount", "--map-root-user", "--"] and line[5] == sys.executable
    seal = line.index("--seal")
    assert line[seal + 1] == str(SCRATCH) and line[seal + 2] == "--outer-namespace"
    assert line[line.index("--isolation") + 1] == "unshare"


def test_the_bwrap_command_binds_the_root_read_only_and_the_scratch_folder_writable() -> None:
    line = command("bwrap")
    text = " ".join(line)
    assert line[0] == "bwrap" and "--unshare-net" in line and "--die-with-parent" in line
    assert "--ro-bind / /" in text and f"--bind {SCRATCH} {SCRATCH}" in text
    assert line[line.index("--") + 1] == sys.executable and "--seal" not in line  # bwrap seals by itself


def test_without_isolation_the_harness_runs_as_before() -> None:
    line = command("none")
    assert line[0] == sys.executable and "--seal" not in line and line[line.index("--isolation") + 1] == "none"


@pytest.mark.parametrize("setting, usable, expected", [
    ("auto", {"bwrap", "unshare"}, "bwrap"),
    ("auto", {"unshare"}, "unshare"),
    ("auto", set(), "none"),
    ("none", {"bwrap", "unshare"}, "none"),
    ("unshare", {"bwrap", "unshare"}, "unshare"),
    ("bwrap", {"unshare"}, "unshare"),  # asked for but not working here: what auto picks, with a warning
    ("unshare", set(), "none"),
])
def test_the_strongest_working_isolation_is_chosen(monkeypatch: pytest.MonkeyPatch, setting: str, usable: set,
                                                     expected: str) -> None:
    monkeypatch.setenv(isolation.ENVIRONMENT_SETTING, setting)
    monkeypatch.setattr(isolation, "works", lambda method: method in usable or method == "none")
    assert isolation.choose() == expected


def test_an_unknown_setting_is_an_error_not_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(isolation.ENVIRONMENT_SETTING, "bubblewrap")
    with pytest.raises(isolation.IsolationSettingError, match="'bubblewrap' is not one of auto, bwrap, unshare, none"):
        isolation.choose()


def test_a_forced_method_that_does_not_work_says_what_is_used_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation.shutil, "which", lambda program: None if program == "bwrap" else "/usr/bin/" + program)
    monkeypatch.setattr(isolation, "works", lambda method: method in ("unshare", "none"))
    monkeypatch.setenv(isolation.ENVIRONMENT_SETTING, "bwrap")
    assert isolation.fallback_warning() == ("KERASSNIFF_ISOLATION=bwrap, but bwrap is not installed; "
                                            "using unshare instead")
    for working in ("unshare", "auto", "none"):
        monkeypatch.setenv(isolation.ENVIRONMENT_SETTING, working)
        assert isolation.fallback_warning() is None


def test_the_command_line_rejects_an_unknown_setting_and_warns_about_a_fallback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from kerassniff import cli
    from kerassniff.dynamic import runner

    script = tmp_path / "train.py"
    script.write_text("import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n")
    monkeypatch.setattr(runner, "run_all", lambda scripts, options: {})  # nothing is really run
    monkeypatch.setattr(isolation, "works", lambda method: method in ("unshare", "none"))
    monkeypatch.setenv(isolation.ENVIRONMENT_SETTING, "sandbox")
    bad = CliRunner().invoke(cli.main, [str(script), "--dynamic", "--no-cache"])
    assert bad.exit_code == 2 and isinstance(bad.exception, SystemExit)
    assert bad.stderr == "kerassniff: KERASSNIFF_ISOLATION='sandbox' is not one of auto, bwrap, unshare, none\n"
    monkeypatch.setenv(isolation.ENVIRONMENT_SETTING, "bwrap")
    forced = CliRunner().invoke(cli.main, [str(script), "--dynamic", "--no-cache", "-q"])
    assert forced.exit_code == 0
    warnings = [line for line in forced.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and warnings[0].startswith("kerassniff: warning: KERASSNIFF_ISOLATION=bwrap, but bwrap ")
    assert warnings[0].endswith("; using unshare instead")


def test_a_missing_program_does_not_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolation.shutil, "which", lambda program: None)
    assert not isolation.works("unshare") and not isolation.works("bwrap") and isolation.works("none")


def test_sealing_refuses_to_touch_the_parents_mounts() -> None:
    """The harness only seals inside its own mount namespace; here (the parent's) it must refuse, not remount."""
    with pytest.raises(RuntimeError, match="private mount namespace"):
        isolation.seal("/tmp", isolation.mount_namespace())


def test_the_phrases_say_what_was_in_force() -> None:
    sealed = {"method": "unshare", "network": "namespace", "files": "read-only"}
    assert isolation.describe(sealed, "unshare") == ("unshare, no network (own network namespace), files read-only "
                                                     "outside a scratch folder")
    assert "network blocked in Python only" in isolation.describe(None, "none")
    assert "absolute paths writable" in isolation.describe({"method": "none", "network": "python", "files": "scratch"},
                                                            "none")
    partial = {"method": "unshare", "network": "namespace", "files": "project", "not_sealed": ["/data"]}
    assert isolation.describe(partial, "unshare").endswith("the script's folder read-only (not sealed: /data)")


def test_what_the_child_got_is_claimed_only_for_a_namespace_that_was_asked_for(tmp_path: Path) -> None:
    """Without a namespace the child says so, even on a host whose only interface is the loopback."""
    got = isolation.observed("none", str(tmp_path / "train.py"), str(tmp_path))
    assert got == {"method": "none", "network": "python", "files": "scratch"}


CHILD = """
import json, os, socket, subprocess, sys
from kerassniff.dynamic import isolation
scratch, project, outer = sys.argv[1:4]
refused = isolation.seal(scratch, outer)
results = {}
for name, target in (("scratch", scratch), ("project", project), ("working folder", ".")):
    try:
        open(os.path.join(target, "written.txt"), "w").write("x")
        results[name] = "written"
    except OSError as error:
        results[name] = type(error).__name__
try:
    socket.create_connection(("192.0.2.1", 80), timeout=2)  # TEST-NET-1: no real host is ever contacted
    results["socket"] = "connected"
except OSError as error:
    results["socket"] = "refused"
shell = subprocess.run(["sh", "-c", f"echo x > {project}/spawned.txt"], capture_output=True)
results["spawned"] = shell.returncode
print(json.dumps([results, isolation.observed("unshare", os.path.join(project, "train.py"), scratch, refused)]))
"""


@pytest.mark.skipif(not isolation.works("unshare"), reason="unprivileged user namespaces are not available here "
                    "(unshare --net --mount --map-root-user fails), so dynamic mode falls back to today's measures")
def test_the_namespace_path_keeps_the_project_read_only_and_the_network_away(tmp_path: Path) -> None:
    scratch, project = tmp_path / "scratch", tmp_path / "project"
    scratch.mkdir()
    project.mkdir()
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    completed = subprocess.run(
        isolation.wrap([sys.executable, "-c", CHILD, str(scratch), str(project), isolation.mount_namespace()],
                       scratch, "unshare"),
        cwd=scratch, env=environment, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    results, observed = json.loads(completed.stdout)
    assert results == {"scratch": "written", "project": "OSError", "working folder": "written", "socket": "refused",
                       "spawned": results["spawned"]}
    assert results["spawned"] != 0  # a shell the script spawns cannot write into the project either
    assert observed == {"method": "unshare", "network": "namespace", "files": "read-only"}
    assert sorted(p.name for p in project.iterdir()) == [] and (scratch / "written.txt").exists()
