"""How dynamic mode fences in the scripts it runs: operating-system isolation where the system allows it.

Today's measures inside the child (the socket module patched, a scratch
working folder) stop a script that behaves, not one that writes through an
absolute path, spawns ``curl`` or opens a socket from a C extension.  Where
Linux lets an ordinary user create namespaces, the child runs in its own
network namespace (no interfaces but a loopback that is down) with every
filesystem read-only except its scratch folder:

- ``bwrap`` (bubblewrap), if installed and working: it builds that sandbox
  itself (``--unshare-net``, the root bound read-only, the scratch folder
  writable, dies with its parent);
- else ``unshare --net --mount --map-root-user``: the child starts in new
  user, network and mount namespaces and seals the filesystem itself
  (:func:`seal`, called by the harness before it reads the script);
- else nothing more than today's measures (``none``).

Each is probed once per process by actually using it.  The child then checks
what it really got (:func:`observed`): the report and the
``kerassniff: ran ...`` line say which isolation was in force, never just
which was asked for.  ``KERASSNIFF_ISOLATION=none|unshare|bwrap|auto``
forces a choice (``none`` where namespaces upset a GPU driver, say); any
other value is a configuration error (:class:`IsolationSettingError`), and a
forced method that does not work here falls back to what ``auto`` picks,
with a warning naming it (:func:`fallback_warning`).
"""
from __future__ import annotations

import ctypes
import functools
import os
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

METHODS = ("bwrap", "unshare", "none")
ENVIRONMENT_SETTING = "KERASSNIFF_ISOLATION"
PROBE_TIMEOUT = 10.0

# Mount flags (linux/mount.h) and the mountinfo options that carry them.  A remount in a user namespace must keep
# the flags the outer namespace locked, so each mount is remounted with its own flags plus MS_RDONLY.
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME, MS_STRICTATIME = 16384, 1 << 18, 1 << 21, 1 << 24
_OPTION_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
                 "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}
# Views of the kernel and of devices (GPUs included), not files a script could damage: left as they are.
_PSEUDO_FOLDERS = frozenset({"proc", "sys", "dev"})
_MOUNTINFO_ESCAPE = re.compile(r"\\([0-7]{3})")


class IsolationSettingError(ValueError):
    """``KERASSNIFF_ISOLATION`` names no method; the message is one line for the user."""


def requested() -> str:
    """The method ``KERASSNIFF_ISOLATION`` asks for (``auto`` when unset); an unknown value raises
    :class:`IsolationSettingError` rather than quietly meaning ``auto``."""
    value = os.environ.get(ENVIRONMENT_SETTING, "auto").strip().lower() or "auto"
    if value not in (*METHODS, "auto"):
        raise IsolationSettingError(f"{ENVIRONMENT_SETTING}={os.environ[ENVIRONMENT_SETTING]!r} is not one of "
                                    f"auto, {', '.join(METHODS)}")
    return value


def choose() -> str:
    """The method ``KERASSNIFF_ISOLATION`` forces if it works here, else the strongest this system allows."""
    wanted = requested()
    if wanted == "none" or (wanted != "auto" and works(wanted)):
        return wanted
    return next((method for method in ("bwrap", "unshare") if works(method)), "none")


def fallback_warning() -> str | None:
    """One line when the forced method does not work here, naming what is used instead (None otherwise)."""
    wanted = requested()
    if wanted in ("auto", "none") or works(wanted):
        return None
    program = "bwrap" if wanted == "bwrap" else "unshare"
    why = "is not installed" if shutil.which(program) is None else "does not work here (user namespaces off?)"
    return f"{ENVIRONMENT_SETTING}={wanted}, but {program} {why}; using {choose()} instead"


@functools.cache
def works(method: str) -> bool:
    """Try the method on a throwaway folder: installed is not enough (user namespaces may be switched off)."""
    if method == "none":
        return True
    program = "bwrap" if method == "bwrap" else "unshare"
    if shutil.which(program) is None or not hasattr(os, "getuid"):
        return False
    with tempfile.TemporaryDirectory(prefix="kerassniff-probe-") as scratch:
        if method == "bwrap":
            command = wrap(["true"], Path(scratch), method)
        else:  # what the harness will do: a bind mount and a read-only remount inside the namespaces
            command = [*wrap([], Path(scratch), method), "sh", "-c",
                       'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0"', scratch]
        try:
            completed = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, timeout=PROBE_TIMEOUT)
        except (OSError, subprocess.SubprocessError):
            return False
    return completed.returncode == 0


def wrap(command: list[str], scratch: Path, method: str) -> list[str]:
    """The command line that runs ``command`` under ``method``'s isolation, with ``scratch`` writable."""
    folder = str(scratch)
    if method == "bwrap":
        return ["bwrap", "--ro-bind", "/", "/", "--dev-bind", "/dev", "/dev", "--proc", "/proc",
                "--tmpfs", "/tmp", "--bind", folder, folder, "--unshare-net", "--die-with-parent",
                "--chdir", folder, "--", *command]
    if method == "unshare":
        return ["unshare", "--net", "--mount", "--map-root-user", "--", *command]
    return list(command)


def mount_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/mnt")
    except OSError:
        return ""


def seal(scratch: str, outer_namespace: str) -> list[str]:
    """Make every filesystem read-only except ``scratch``; returns the mount points that could not be sealed.

    Only ever called in the child started by ``unshare --mount``, and refuses to act unless the process is in
    another mount namespace than the parent's (``outer_namespace``): a remount there would be the host's.
    """
    here = mount_namespace()
    if not here or here == outer_namespace:
        raise RuntimeError("not in a private mount namespace: refusing to remount anything")
    scratch = os.path.realpath(scratch)  # mountinfo lists real paths
    libc = ctypes.CDLL(None, use_errno=True)

    def mount(source: str | None, target: str, flags: int) -> bool:
        return libc.mount(None if source is None else source.encode(), target.encode(), None,
                          ctypes.c_ulong(flags), None) == 0

    mount(None, "/", MS_REC | MS_PRIVATE)  # nothing done here may propagate back to the host
    if not mount(scratch, scratch, MS_BIND | MS_REC):
        return [scratch]
    refused = []
    for point, options in _mounts():
        if point == scratch or point.startswith(scratch.rstrip("/") + "/"):
            continue
        if point.split("/")[1] in _PSEUDO_FOLDERS:
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for option in options:
            flags |= _OPTION_FLAGS.get(option, 0)
        if not mount(None, point, flags):
            refused.append(point)
    os.chdir(os.getcwd())  # the working folder was entered before the bind: enter it again, through the new mount
    return refused


def _mounts() -> list[tuple[str, list[str]]]:
    """(mount point, per-mount options) from /proc/self/mountinfo, parents before children."""
    mounts = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as stream:
        for line in stream:
            fields = line.split()
            if len(fields) >= 6:
                point = _MOUNTINFO_ESCAPE.sub(lambda match: chr(int(match.group(1), 8)), fields[4])
                mounts.append((point, fields[5].split(",")))
    return mounts


def observed(method: str, script: str, scratch: str, refused: list[str] | None = None) -> dict:
    """What the child really got, checked from inside it: the report's ``isolation`` entry."""
    try:
        interfaces = sorted(name for _, name in socket.if_nameindex())
    except OSError:
        interfaces = []
    # Claimed only for a namespace that was asked for: a host without network, or a project on a read-only disk,
    # is not a sandbox (absolute paths elsewhere would still be writable).
    fenced = method != "none"
    network = "namespace" if fenced and interfaces in ([], ["lo"]) else "python"
    project_read_only = _read_only(os.path.dirname(os.path.abspath(script)))
    files = "scratch"
    if fenced and project_read_only and not _read_only(scratch):
        files = "project" if refused else "read-only"
    result = {"method": method, "network": network, "files": files}
    if refused:
        result["not_sealed"] = refused[:5]
    return result


def _read_only(folder: str) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def describe(isolation: dict | None, method: str) -> str:
    """One phrase for the ``kerassniff: ran ...`` line and the findings' JSON."""
    if not isolation:
        return f"{method} (not confirmed: no report)" if method != "none" else \
            "none, network blocked in Python only, scratch working folder (absolute paths writable)"
    network = {"namespace": "no network (own network namespace)",
               "python": "network blocked in Python only"}[isolation.get("network", "python")]
    files = {"read-only": "files read-only outside a scratch folder",
             "project": f"the script's folder read-only (not sealed: {', '.join(isolation.get('not_sealed', []))})",
             "scratch": "scratch working folder (absolute paths writable)"}[isolation.get("files", "scratch")]
    return f"{isolation.get('method', method)}, {network}, {files}"
