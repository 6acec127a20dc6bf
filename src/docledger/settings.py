"""All knobs in one validated place (environment variables with the DOCLEDGER_ prefix)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOCLEDGER_", extra="ignore")

    home: Path = Field(default=Path("./docledger-data"), description="Data directory (blobs, SQLite ledger).")
    database_url: str | None = Field(
        default=None, description="sqlite:///path or postgresql://...; default: SQLite file in home."
    )
    max_attempts: int = Field(default=5, ge=1, description="Attempts before a delivery is dead-lettered.")
    lease_seconds: float = Field(default=120.0, gt=0, description="How long a claimed delivery stays ours.")
    backoff_base_seconds: float = Field(default=2.0, ge=0, description="First retry delay; doubles per attempt.")
    backoff_max_seconds: float = Field(default=300.0, ge=0)
    poll_interval_seconds: float = Field(default=0.2, gt=0, description="Idle polling interval of workers.")
    max_file_bytes: int = Field(default=200 * 1024 * 1024, gt=0, description="Larger files end too_large.")
    max_pages: int = Field(default=2000, gt=0, description="Larger documents end too_many_pages.")
    max_image_pixels: int = Field(default=100_000_000, gt=0)
    fsync_artifacts: bool = Field(
        default=False, description="fsync every derived artifact (originals are always made durable)."
    )
    compute_threads: int = Field(
        default=0,
        ge=0,
        description="Threads per worker process for ONNX models (0 = all cores; "
        "`worker --concurrency N` sets cores // N for its processes).",
    )
    max_request_bytes: int = Field(
        default=256 * 1024 * 1024,
        gt=0,
        description="Largest request body the API accepts (413 above it); uploads of several files share it.",
    )
    max_paragraph_chars: int = Field(
        default=20_000, gt=0, description="Largest paragraph POST /invocations and /v1/match accept (413 above)."
    )
    rate_limit_per_minute: int = Field(
        default=120,
        ge=0,
        description="Calls per minute per token to search, ask, match and /invocations (429 above; 0 = off).",
    )
    public_invocations: bool = Field(
        default=False, description="Let POST /invocations (paragraph-only matching) be called without a token."
    )
    ocr_engine: str = Field(
        default="auto", description="auto (tesseract on clean pages, else rapidocr) | rapidocr | tesseract"
    )
    ocr_dpi: int = Field(default=200, ge=72, le=600)
    default_tenant: str = "default"
    default_owner: str = "system"
    default_classification: str = "internal"
    redact_policy_classifications: str = Field(
        default="restricted", description="Comma-separated classifications redacted automatically."
    )
    review_sample_rate: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Share of confident fields also sent to review (quality "
        "control: measures the accuracy and calibration of values that would go straight through).",
    )
    # ---- encryption at rest ----
    encrypt_blobs: bool = Field(
        default=False,
        description="Envelope-encrypt every blob written from now on (AES-256-GCM data key per "
        "blob, wrapped by a key-encryption key). Existing plaintext blobs stay readable.",
    )
    key_dir: Path | None = Field(
        default=None,
        description="Key-encryption keys and wrapped data keys; default <home>/keys. Back it up "
        "separately from the blobs (crypto-shredding relies on it).",
    )
    # ---- audit log ----
    audit_key_file: Path | None = Field(
        default=None,
        description="Ed25519 private key (PEM) that signs audit checkpoints; default "
        "<home>/keys/audit-ed25519.pem. Keep it outside the database (and, in production, outside the data "
        "directory's backups).",
    )
    retention_policy: Path | None = Field(
        default=None, description="Retention policy YAML (default: the built-in ledger/policies/retention.yaml)."
    )
    rules_file: Path | None = Field(
        default=None, description="Data-quality and owner-notification rules (YAML); none: no rules run."
    )
    audit_checkpoint_every: int = Field(
        default=1000, ge=1, description="Seal the audit chain with a signed checkpoint every N entries."
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'ledger.sqlite3').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def resolved_key_dir(self) -> Path:
        return self.key_dir or self.home / "keys"

    @property
    def resolved_audit_key_file(self) -> Path:
        return self.audit_key_file or self.home / "keys" / "audit-ed25519.pem"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
