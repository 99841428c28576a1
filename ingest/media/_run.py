"""One way to run external tools: timeouts, captured output, clear errors."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence

from evidence import scratch
from ingest.errors import ToolFailed, ToolMissing

log = logging.getLogger(__name__)
# Enough of stderr to explain a failure in the log without flooding it.
_STDERR_TAIL = 2000


def _failed(tool: str, returncode: int, tail: str) -> ToolFailed:
    """The failure as recorded on the job: tool and exit code only. A tool's messages
    can quote the evidence (tesseract echoes lines of its input, ffmpeg metadata), and
    job errors are shown to people who may not read the item: the tail goes to the
    server log instead."""
    log.warning("%s exited with %s: %s", tool, returncode, tail)
    return ToolFailed(
        f"{tool} exited with {returncode} (details in the server log)",
        tool=tool,
        returncode=returncode,
    )


def run(
    args: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    input_bytes: bytes | None = None,
    ok_codes: Sequence[int] = (0,),
) -> subprocess.CompletedProcess[bytes]:
    """Run a tool without a shell; raise ToolMissing/ToolFailed with stderr's tail."""
    tool = os.path.basename(args[0])
    if shutil.which(args[0]) is None:
        raise ToolMissing(f"{tool} is not installed (needed for this stage)", tool=tool)
    full_env = None
    # A job's tools keep their temporary files in the job's scratch folder too.
    extra = {**scratch.tool_env(), **(env or {})}
    if extra:
        full_env = {**os.environ, **extra}
    try:
        proc = subprocess.run(
            list(args),
            capture_output=True,
            timeout=timeout,
            env=full_env,
            input=input_bytes,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ToolFailed(f"{tool} timed out after {timeout:.0f} s", tool=tool) from exc
    if proc.returncode not in ok_codes:
        tail = proc.stderr.decode("utf-8", "replace")[-_STDERR_TAIL:].strip()
        raise _failed(tool, proc.returncode, tail)
    return proc


@functools.cache
def tool_version(tool: str) -> str:
    """First line of the tool's version banner, e.g. 'ffmpeg version 5.1.6-0+deb12u1'.

    Cached: derivations name the version on every output and the banner does not
    change within a process.
    """
    flag = {"exiftool": "-ver", "pdftoppm": "-v", "pdftotext": "-v", "pdfinfo": "-v"}.get(
        tool, "-version" if tool in {"ffmpeg", "ffprobe"} else "--version"
    )
    proc = run([tool, flag], timeout=30)
    # poppler tools print their banner on stderr.
    text = (proc.stdout or proc.stderr).decode("utf-8", "replace").strip()
    first = text.splitlines()[0] if text else "unknown"
    return first.split(" Copyright", 1)[0].strip()


def run_ffmpeg_with_progress(
    args: Sequence[str],
    *,
    timeout: float,
    duration: float | None,
    on_progress: Callable[[float], None],
) -> None:
    """Run ffmpeg with `-progress pipe:1`, reporting the fraction done (0..1).

    stderr goes to a temporary file rather than a pipe so a chatty ffmpeg can never
    block on a full pipe while we read progress lines.
    """
    if shutil.which(args[0]) is None:
        raise ToolMissing("ffmpeg is not installed (needed for this stage)", tool="ffmpeg")
    cmd = [args[0], "-progress", "pipe:1", "-nostats", *args[1:]]
    timed_out = threading.Event()
    env = {**os.environ, **scratch.tool_env()}
    with tempfile.TemporaryFile(dir=scratch.tempdir()) as err:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, env=env
        )
        assert proc.stdout is not None

        def _kill() -> None:
            # A watchdog rather than checks in the read loop: a stalled ffmpeg
            # writes no progress lines, so the loop alone would block forever.
            timed_out.set()
            proc.kill()

        watchdog = threading.Timer(timeout, _kill)
        watchdog.start()
        try:
            for line in proc.stdout:
                key, _, value = line.decode("ascii", "replace").strip().partition("=")
                if key == "out_time_us" and duration and value.isdigit():
                    on_progress(min(1.0, int(value) / 1e6 / duration))
            returncode = proc.wait()
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if timed_out.is_set():
            raise ToolFailed(f"ffmpeg timed out after {timeout:.0f} s", tool="ffmpeg")
        if returncode != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-_STDERR_TAIL:].strip()
            raise _failed("ffmpeg", returncode, tail)
    on_progress(1.0)
