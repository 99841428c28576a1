"""Redaction test fixtures: one analyzer engine for the whole session (it takes ~5 s)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")


@pytest.fixture(scope="session")
def analyzer():
    """The cached process-wide Presidio engine with every Dalel recognizer."""
    from redaction.engine import get_analyzer

    return get_analyzer()
