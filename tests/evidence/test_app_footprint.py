"""The API process stays small: heavy ML libraries load only in the jobs that use them."""

from __future__ import annotations

import json
import subprocess
import sys


def test_create_app_imports_no_ml_stack(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = (
        "import json, sys\n"
        "from evidence.app import create_app\n"
        "from evidence.config import Settings\n"
        f"create_app(Settings(data_dir={str(tmp_path)!r}))\n"
        "print(json.dumps([m for m in ('torch', 'spacy', 'presidio_analyzer', 'whisper', "
        "'cv2', 'natasha') if m in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
