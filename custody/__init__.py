"""Custody ledger: every access to evidence, provable to a court.

`custody.record(...)` is the single entry point for appending events.
"""

from custody.events import SYSTEM, Action, Actor
from custody.ledger import NewEvent, record, record_many

__all__ = ["SYSTEM", "Action", "Actor", "NewEvent", "record", "record_many"]
