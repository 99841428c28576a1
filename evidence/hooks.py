"""Notifications from the vault to the domain packages, wired in `evidence.app`.

`evidence` may not import the domain packages, yet ingest must hear about new items to
start processing them; the app registers its callbacks here at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

ItemAdded = Callable[[str, str], None]  # (item id, item kind)
_item_added: list[ItemAdded] = []


def on_item_added(callback: ItemAdded) -> None:
    """Register a callback run after an item (original or unpacked child) is committed."""
    if callback not in _item_added:
        _item_added.append(callback)


def item_added(item_id: str, kind: str) -> None:
    """Tell every listener; a listener's failure never undoes the committed item."""
    for callback in list(_item_added):
        try:
            callback(item_id, kind)
        except Exception:  # the item is safely stored; processing can be re-run
            log.exception("item-added hook failed for %s", item_id)


# (session, user id, item id) -> is the item disclosed to that user right now?
DisclosureLookup = Callable[[Any, str, str], bool]
_disclosure_lookup: list[DisclosureLookup] = []


def set_disclosure_lookup(lookup: DisclosureLookup | None) -> None:
    """Install the disclosure package's answer to "was this item disclosed to them?"."""
    _disclosure_lookup[:] = [lookup] if lookup else []


def is_disclosed(session: Any, user_id: str, item_id: str) -> bool:
    """Without a disclosure package nothing is ever disclosed (defence sees nothing)."""
    return bool(_disclosure_lookup) and _disclosure_lookup[0](session, user_id, item_id)
