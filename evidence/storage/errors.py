"""Storage-specific errors (subclasses of the evidence base class)."""

from evidence.errors import StorageError


class ObjectMissing(StorageError):
    """No object is stored under the requested key."""

    title = "Object missing"

    def __init__(self, key: str) -> None:
        super().__init__(f"no stored object under {key}")
        self.key = key
