"""Loading of the redaction data files (patterns, word lists, reason codes, policy).

The files under ``redaction/data`` are the defaults. A deployment adds its own words and
patterns by pointing ``DALEL_REDACTION_DATA_DIR`` (or the ``extra_dir`` argument) at a
directory holding files with the same names: lists there are appended to ours and
mappings are merged key by key, so a deployment never has to copy the whole file.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import yaml

from redaction.errors import RedactionConfigError

DATA_DIR = Path(__file__).parent / "data"
EXTRA_DIR_ENV = "DALEL_REDACTION_DATA_DIR"


def _merge(base: Any, extra: Any) -> Any:
    # Lists extend (more words), mappings merge recursively, scalars are replaced.
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(extra, list):
        return base + [item for item in extra if item not in base]
    return extra


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise RedactionConfigError(
            "cannot read redaction data file %(path)s: %(reason)s", path=path, reason=exc
        ) from exc


def extra_dir_from_env() -> Path | None:
    """Return the directory named by ``DALEL_REDACTION_DATA_DIR``, or None when unset."""
    value = os.environ.get(EXTRA_DIR_ENV, "").strip()
    return Path(value) if value else None


@functools.cache
def load_data(name: str, extra_dir: Path | None = None) -> Any:
    """Return the parsed data file ``name`` (e.g. ``"context.yaml"``) merged with extras.

    ``extra_dir`` overrides the environment setting; a missing extra file is fine, a
    missing extra directory is a configuration error (a typo should not pass silently).
    """
    data = _read_yaml(DATA_DIR / name)
    extra_dir = extra_dir if extra_dir is not None else extra_dir_from_env()
    if extra_dir is not None:
        if not extra_dir.is_dir():
            raise RedactionConfigError(
                "%(setting)s points at %(path)s, which is not a directory",
                setting=EXTRA_DIR_ENV,
                path=extra_dir,
            )
        extra_path = extra_dir / name
        if extra_path.exists():
            data = _merge(data, _read_yaml(extra_path))
    return data
