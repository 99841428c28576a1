"""Custody ledger: every access to evidence, provable to a court.

`custody.record(...)` is the single entry point for appending events.
"""

from custody.events import SYSTEM, Action, Actor
from custody.ledger import record

__all__ = ["SYSTEM", "Action", "Actor", "record"]
