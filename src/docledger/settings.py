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
        default=False, description="fsync every derived artifact (originals are always made durable).")
    compute_threads: int = Field(
        default=0, ge=0, description="Threads per worker process for ONNX models (0 = all cores; "
        "`worker --concurrency N` sets cores // N for its processes).")
    public_invocations: bool = Field(
        default=False, description="Let POST /invocations (paragraph-only matching) be called without a token.")
    ocr_engine: str = Field(default="auto",
                            description="auto (tesseract on clean pages, else rapidocr) | rapidocr | tesseract")
    ocr_dpi: int = Field(default=200, ge=72, le=600)
    default_tenant: str = "default"
    default_owner: str = "system"
    default_classification: str = "internal"
    redact_policy_classifications: str = Field(
        default="restricted", description="Comma-separated classifications redacted automatically."
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'ledger.sqlite3').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
