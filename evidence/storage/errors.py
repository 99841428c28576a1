"""Storage-specific errors (subclasses of the evidence base class)."""

from datetime import datetime

from evidence.errors import StorageError


class ObjectMissing(StorageError):
    """No object is stored under the requested key."""

    title = "Object missing"

    def __init__(self, key: str) -> None:
        super().__init__("no stored object under %(key)s", key=key)
        self.key = key


class ObjectLocked(StorageError):
    """The store refuses to delete an object: its retention date has not passed, or a
    legal hold is on. Nothing was removed."""

    title = "Object locked"

    def __init__(self, key: str, *, until: datetime | None = None, hold: bool = False) -> None:
        if hold:
            super().__init__("the object is under a legal hold in storage")
        elif until is not None:
            super().__init__("storage retains the object until %(until)s", until=until.isoformat())
        else:
            super().__init__("storage refused to delete the object")
        self.key = key
        self.until = until
        self.hold = hold


class PartBusy(StorageError):
    """Another request is writing the same object in parts right now (a client that
    retried while its first attempt still runs). Nothing was written."""

    title = "Upload busy"
