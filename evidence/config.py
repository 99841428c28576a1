"""Settings, read from the environment (prefix DALEL_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from evidence.db import DbTimeouts

DEV_SECRET = "dalel-development-secret-change-me"


class Settings(BaseSettings):
    """Everything configurable. Defaults give the embedded single-machine setup."""

    model_config = SettingsConfigDict(env_prefix="DALEL_", extra="ignore")

    env: str = Field(default="development", description="development | production")
    data_dir: Path = Field(default=Path("./.dalel"))  # a dotfolder: the top level is fixed
    database_url: str | None = None
    storage_url: str | None = None
    redis_url: str | None = None
    secret_key: str = DEV_SECRET
    base_url: str = "http://127.0.0.1:8000"

    token_ttl_minutes: int = 30
    max_upload_bytes: int = 200 * 1024**3
    upload_session_ttl_hours: int = 72
    # Batch upload (`POST /cases/{id}/items/batch`, a tar of small files): bounds of one
    # request, whose files are all staged before any is registered.
    batch_max_files: int = Field(default=1000, ge=1, le=10000, description="files per batch")
    batch_max_bytes: int = Field(
        default=64 * 1024**2, ge=1024, description="file bytes per batch request"
    )
    # Sign-in: see evidence.service.signin for the three layers these configure.
    login_pair_lock_after: int = Field(
        default=5, ge=1, description="failures per (account, address) before that pair locks"
    )
    login_pair_lock_minutes: float = Field(default=15, gt=0)
    login_lock_after: int = Field(
        default=10, ge=1, description="failures per account before it locks"
    )
    login_lock_minutes: float = Field(
        default=5, gt=0, description="first account lock; doubles each time"
    )
    login_lock_max_hours: float = Field(default=24, gt=0)
    login_failures_per_minute: int = Field(
        default=30, ge=1, description="per address and per account name"
    )
    login_refusal_delay_seconds: float = Field(default=0.5, ge=0)
    max_header_bytes: int = Field(
        default=64 * 1024,
        ge=4096,
        le=1024 * 1024,  # more would let one request line and headers hold memory again
        description="request line plus headers (dalel serve)",
    )
    max_in_flight: int = Field(
        default=512, ge=1, description="requests served at once; more answer 503"
    )
    public_requests_per_minute: int = Field(
        default=30,
        ge=1,
        description="per client address, for each of POST /verify and POST /ledger/cosignatures",
    )
    api_key_ttl_days: int = Field(default=365, ge=0, description="device keys expire (0: never)")

    # A hung dependency becomes a 503 with Retry-After within seconds (the API and workers).
    db_connect_timeout_seconds: float = Field(default=5, gt=0)
    db_statement_timeout_seconds: float = Field(
        default=30,
        ge=0,
        description="PostgreSQL statement_timeout of the API and workers; a statement "
        "waiting on a silent network is cut this long (plus 2 s) after it began (0: none)",
    )
    sqlite_busy_timeout_seconds: float = Field(
        default=30, gt=0, description="how long a SQLite writer waits for the lock"
    )
    storage_connect_timeout_seconds: float = Field(default=5, gt=0)
    storage_read_timeout_seconds: float = Field(
        default=30, gt=0, description="S3: the longest silence while a response is read"
    )

    ledger_key_dir: Path | None = None
    ledger_origin: str = "dalel.local/ledger"
    # Where the log's signing keys live: files in ledger_key_dir (the embedded default),
    # or a PKCS#11 token (an HSM) that signs without the key ever leaving it.
    key_store: Literal["file", "pkcs11"] = Field(
        default="file", description="file (keys in DALEL_LEDGER_KEY_DIR) | pkcs11 (an HSM)"
    )
    pkcs11_module: Path | None = Field(
        default=None, description="the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so"
    )
    pkcs11_token_label: str | None = None
    pkcs11_pin: SecretStr | None = Field(default=None, description="the token's user PIN")
    pkcs11_pin_file: Path | None = Field(
        default=None, description="a file holding the PIN (a secret mounted by the deployment)"
    )
    pkcs11_key_label: str = Field(
        default="dalel-ledger", description="label of the log's key pairs on the token"
    )
    checkpoint_interval_seconds: float = Field(
        default=1,
        ge=0,
        description="sign a checkpoint this often when the log grew (0: never); every append "
        "is signed within about this long",
    )
    tsa_interval_seconds: float = Field(
        default=60, ge=0, description="timestamp a new checkpoint at most this often"
    )
    fsck_safety_hours: float = Field(
        default=24,
        ge=0,
        description="`dalel fsck --repair` removes only leftovers and orphans older than this",
    )
    retention_horizon_days: int = Field(
        default=0,
        ge=0,
        description="objects whose items have no retention date yet stay locked in storage "
        "this long ahead, extended by `dalel retention apply` (0: only the bucket's default)",
    )
    tsa_url: str | None = Field(
        default=None,
        description="RFC 3161 Time-Stamping Authority (an internal one when air-gapped): "
        "every new checkpoint is timestamped; unset, none is asked",
    )

    # Operations (README "Operations"): probes, metrics, logs, shutdown.
    readiness_timeout_seconds: float = Field(
        default=2, gt=0, description="/readyz: how long each backend may take to answer"
    )
    metrics_token: str | None = Field(
        default=None,
        description="/metrics also answers `Authorization: Bearer <this>` (a Prometheus "
        "scraper); without it only signed-in administrators and auditors may read it",
    )
    log_format: str = Field(
        default="json", pattern="^(json|text)$", description="dalel serve and workers: json|text"
    )
    shutdown_grace_seconds: float = Field(
        default=60,
        ge=0,
        description="`dalel serve`: on SIGTERM, how long requests in flight (an upload's "
        "current chunk) may take to finish before the process exits",
    )

    @model_validator(mode="after")
    def _derive_paths(self) -> Settings:
        self.data_dir = self.data_dir.resolve()
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'dalel.sqlite3'}"
        if self.storage_url is None:
            self.storage_url = f"file://{self.data_dir / 'objects'}"
        if self.ledger_key_dir is None:
            self.ledger_key_dir = self.data_dir / "keys"
        return self

    @property
    def is_production(self) -> bool:
        return self.env != "development"

    @property
    def db_timeouts(self) -> DbTimeouts:
        """The API's and workers' database limits (operator commands have none on
        statements: migrations and fsck may run long)."""
        from evidence.db import DbTimeouts

        return DbTimeouts(
            connect=self.db_connect_timeout_seconds,
            statement=self.db_statement_timeout_seconds,
            busy=self.sqlite_busy_timeout_seconds,
        )

    @property
    def storage_timeouts(self) -> tuple[float, float]:
        """(connect, read) seconds for object storage requests."""
        return self.storage_connect_timeout_seconds, self.storage_read_timeout_seconds

    def check_secrets(self) -> None:
        """Refuse to serve production with development defaults."""
        if self.is_production and self.secret_key == DEV_SECRET:
            raise ValueError(
                "DALEL_SECRET_KEY still has its development default; set a random secret "
                "before running with DALEL_ENV=production"
            )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own `Settings`)."""
    return Settings()
