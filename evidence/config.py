"""Settings, read from the environment (prefix DALEL_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    login_lock_after: int = 10
    login_slowdown_after: int = 3

    ledger_key_dir: Path | None = None
    ledger_origin: str = "dalel.local/ledger"
    checkpoint_interval_seconds: int = Field(
        default=60, description="sign a checkpoint this often when the log grew (0: never)"
    )
    tsa_url: str | None = Field(
        default=None,
        description="RFC 3161 Time-Stamping Authority (an internal one when air-gapped): "
        "every new checkpoint is timestamped; unset, none is asked",
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
    def spool_dir(self) -> Path:
        """Where resumable upload sessions keep their received bytes until finalised."""
        return self.data_dir / "uploads"

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
