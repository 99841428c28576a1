"""The pages' front-end bundles: built from npm packages into `static/dist/` (git-ignored).

`make assets` (part of `make run` and `make test`) runs `npm ci` and the build script
`evidence/web/frontend/build.mjs`; `ensure_built` does the same when something is stale,
for a test run started without make. Nothing is downloaded at run time: the bundles are
served by the app itself under `/static/dist/`.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
TOP = HERE.parents[1]
FRONTEND = HERE / "frontend"
DIST = HERE / "static" / "dist"
STAMP = DIST / ".built"
LOCK = TOP / "package-lock.json"
NPM_FILES = ("package.json", "package-lock.json", ".npmrc")
# npm installs under the venv, beside the other build tools (as `make assets` does), so
# the repository's top level keeps only its fixed folders.
NODE_DIR = TOP / ".venv" / "npm"
MODULES_STAMP = NODE_DIR / "node_modules" / ".package-lock.json"


class AssetsMissing(RuntimeError):
    """The bundles are not built and cannot be (no node/npm, or the build failed)."""


def _newest(paths: list[Path]) -> float:
    return max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)


def _sources() -> list[Path]:
    return [*FRONTEND.rglob("*"), *(TOP / name for name in NPM_FILES)]


def built() -> bool:
    """True when `static/dist` is newer than every front-end source and the lock file."""
    return STAMP.is_file() and STAMP.stat().st_mtime >= _newest(_sources())


def ensure_built() -> None:
    """Install (npm ci) and build the bundles if they are missing or stale.

    Safe to call from several processes at once (a file lock: one builds, the others
    wait and then find the bundles fresh).
    """
    if built():
        return
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise AssetsMissing("front-end bundles are not built and node/npm are not installed")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    with open(NODE_DIR / ".dalel-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if built():
            return
        steps = []
        if not MODULES_STAMP.is_file() or MODULES_STAMP.stat().st_mtime < LOCK.stat().st_mtime:
            for name in NPM_FILES:
                shutil.copyfile(TOP / name, NODE_DIR / name)
            steps.append((NODE_DIR, ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"]))
        steps.append((TOP, ["node", str(FRONTEND / "build.mjs")]))
        for cwd, step in steps:
            done = subprocess.run(step, cwd=cwd, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise AssetsMissing(f"{' '.join(step)} failed:\n{done.stdout}{done.stderr}")


def warn_if_missing() -> None:
    """Log once at start-up when the bundles are absent (pages then work without the
    enhanced upload, viewers and maps)."""
    if not STAMP.is_file():
        log.warning("front-end bundles are missing in %s: run `make assets`", DIST)
