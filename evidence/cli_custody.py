"""`dalel ledger|fsck|custody|verify|witness`: custody commands (wired to custody/)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, add: Any) -> None:
    """Add the custody commands to the parser (filled in as custody/ grows)."""
    del sub, add


def _unused(args: argparse.Namespace) -> None:
    del args
