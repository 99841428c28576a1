"""Errors of the custody package: one base class, no HTTP types."""


class CustodyError(Exception):
    """Base class for every custody failure (ledger, proofs, signatures, bundles)."""


class LedgerIntegrityError(CustodyError):
    """The stored ledger does not match what its hashes, chains or checkpoints commit to."""


class UnverifiedTail(LedgerIntegrityError):
    """Entries after the newest checkpoint do not verify: no checkpoint may sign them."""

    def __init__(self, problems: list[str]) -> None:
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        super().__init__(
            f"refusing to sign a checkpoint over entries that do not verify: {shown} "
            "(run `dalel ledger verify`)"
        )
        self.problems = problems


class ProofError(CustodyError):
    """A Merkle inclusion or consistency proof is malformed or does not verify."""


class SignatureError(CustodyError):
    """A signed note, checkpoint or cosignature is malformed or does not verify."""


class CustodyNotFound(CustodyError):
    """A ledger entry or checkpoint asked for does not exist (HTTP 404)."""


class CustodyConflict(CustodyError):
    """The request conflicts with what is already stored, e.g. a repeated cosignature (409)."""


class BundleError(CustodyError):
    """A custody bundle cannot be written or read."""


class WitnessError(CustodyError):
    """A witness refuses to cosign: the log is unreachable, inconsistent or rolled back."""


class WitnessNotRegistered(CustodyError):
    """A cosignature from a key no administrator registered as a witness (HTTP 403)."""
