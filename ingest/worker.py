"""`python -m ingest.worker [--queues ...] [--burst]`: the same as `dalel worker`.

Deployments and tests start workers this way; the worker itself is `ingest.runtime.worker`.
Like the CLI, this entry point registers every package's job stages first.
"""

from __future__ import annotations

from evidence.app import install_domains
from ingest.runtime.worker import main

if __name__ == "__main__":
    raise SystemExit(main(hooks=install_domains()))
