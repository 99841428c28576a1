"""Scratch folders of jobs: under the data directory, never the system's /tmp.

A job that copies evidence to disk (`evidence.service.derive.materialize`) or writes a
tool's output before storing it works inside the folder `folder()` makes for the job.
The folder is removed when the job ends, however it ends; a process killed mid-job
(kill -9, a crash) leaves it behind, and `remove_dead` clears it on the next start
(the API process) or the next sweep (`dalel worker`, ingest.runtime.sweeper).

In-process jobs share their process's temporary directory with the requests it
serves, so the folder is kept per thread of execution (a context variable) and code
that makes temporary files asks for it: `mkdtemp` and `tempdir()` (`dir=` of the
`tempfile` functions) fall back to the process's temporary directory outside a job.

A folder is named `<pid>@<host>@<random>`: the sweeper of any process on the host can
tell whether its owner still runs.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

_current: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "dalel_scratch", default=None
)
# Folders this process made. A folder carrying this process's pid that it did not make
# is a previous process's whose pid was reused (a container restarted: pid 1 again).
_made: set[str] = set()


def current() -> Path | None:
    """The scratch folder of the job running in this thread (None outside a job)."""
    return _current.get()


def tempdir() -> str | None:
    """`dir=` for `tempfile` calls: the job's folder, or None (the process's default)."""
    folder = _current.get()
    return str(folder) if folder is not None else None


def mkdtemp(*, prefix: str) -> Path:
    """A private temporary folder inside the job's scratch folder (or the process's
    temporary directory outside a job); the caller removes it, the job's end at the
    latest."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir=tempdir()))


def tool_env() -> dict[str, str]:
    """Environment for a tool started by a job: its temporary files go to the job's
    folder too (empty outside a job)."""
    folder = _current.get()
    return {"TMPDIR": str(folder)} if folder is not None else {}


@contextlib.contextmanager
def folder(root: Path) -> Iterator[Path]:
    """A fresh scratch folder under `root` for one job, current for the duration and
    removed afterwards whatever happens."""
    root.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}@{socket.gethostname()}@", dir=root))
    _made.add(path.name)
    token = _current.set(path)
    try:
        yield path
    finally:
        _current.reset(token)
        shutil.rmtree(path, ignore_errors=True)
        _made.discard(path.name)


def remove_dead(root: Path) -> list[Path]:
    """Remove the scratch folders under `root` left by processes of this host that no
    longer run (or whose pid this process now has); returns them."""
    if not root.is_dir():
        return []
    host, me = socket.gethostname(), os.getpid()
    removed = []
    for path in root.iterdir():
        pid, _, rest = path.name.partition("@")
        owner, _, _ = rest.partition("@")
        if owner != host or not pid.isdigit():
            continue
        if int(pid) == me:
            if path.name in _made:
                continue
        elif running(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def running(pid: int) -> bool:
    """Whether a process with this pid runs (a zombie does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc here: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
