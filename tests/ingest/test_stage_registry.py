"""The job runtime knows no package by name: each package's stages are registered by the
app (and by the worker's entry points), the way its router is included."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.runtime.stages import Stage, register, stages


def test_the_runtime_alone_has_no_stages_and_the_app_registers_every_package(
    tmp_path: Path,
) -> None:
    code = (
        "import json\n"
        "from ingest.runtime.stages import stages\n"
        "before = sorted(stages())\n"
        "from evidence.app import create_app\n"
        "from evidence.config import Settings\n"
        f"create_app(Settings(data_dir={str(tmp_path)!r}))\n"
        "print(json.dumps([before, sorted(stages())]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    before, after = json.loads(result.stdout.strip().splitlines()[-1])
    assert before == []
    assert {"detect", "transcribe", "redact", "render", "wmark"} <= set(after)


def test_a_taken_name_is_refused_and_registering_again_is_harmless() -> None:
    from evidence.app import install_domains

    install_domains()
    install_domains()
    detect = stages()["detect"]
    register([detect])
    other = Stage(name="detect", queue="fast", run=detect.run, fingerprint=lambda s: {})
    with pytest.raises(RuntimeError, match="two stages share the name 'detect'"):
        register([other])
    assert stages()["detect"] is detect
