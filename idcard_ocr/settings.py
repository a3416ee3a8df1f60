"""One settings object, read once from ``IDCARD_*`` environment variables."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every operator setting. The environment variable is ``IDCARD_`` + the upper-cased name."""

    # A refused value (a short key, say) must never be echoed into a start-up error or its log.
    model_config = SettingsConfigDict(env_prefix="IDCARD_", extra="ignore", hide_input_in_errors=True)

    # Storage
    data_dir: Path = Field(Path("var"), description="Where the default SQLite database and its key live.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default sqlite:///<data_dir>/idcard-ocr.db. PostgreSQL: postgresql+psycopg://...",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Server key (>= 32 characters) encrypting app secrets; generated for SQLite when unset.",
    )
    secret_key_previous: SecretStr | None = Field(
        None, description="During a key rotation: the old server key, still accepted for reading secrets."
    )
    redis_url: str | None = Field(None, description="Redis for rate, quota and switches shared across hosts.")

    # Contract knobs
    timestamp_window_s: int = Field(
        300, description="Accepted distance between the caller's timestamp and ours."
    )
    price_per_call: int = Field(1, ge=0, description="Balance units charged per recognised card.")
    max_image_bytes: int = Field(2 * 1024 * 1024, description="Largest image accepted, however it arrives.")
    max_body_bytes: int = Field(4 * 1024 * 1024, description="Largest request body read before refusing.")
    url_allow_hosts: str = Field(
        "",
        description="Comma-separated host[:port] that url input may reach even if private "
        "(localhost, 127.0.0.1 and ::1 are one entry).",
    )
    url_timeout_s: float = Field(5.0, description="Total time allowed to fetch a url image.")
    url_max_redirects: int = Field(3, description="Redirects followed when fetching a url image.")
    recognition_timeout_s: float = Field(
        10.0, description="Deadline for one recognition; past it the caller gets 610."
    )
    switch_refresh_s: float = Field(
        1.0, description="How often a running server re-reads the global switches."
    )

    # Recogniser
    ocr_threads: int = Field(1, ge=1, description="onnxruntime intra-op threads per recogniser.")
    recognizer_pool: int = Field(1, ge=1, description="Recognitions run at once per worker process.")

    # Demo page
    demo_page: bool = Field(False, description="Serve the demo page at /demo (`idcard-ocr demo` sets it).")
    demo_allow_remote: bool = Field(
        False, description="Hand the demo account's secret to browsers on other machines too."
    )

    # Browsers
    cors_origins: str = Field(
        "",
        description="Comma-separated origins (scheme://host[:port]) whose pages may call the contract "
        "endpoint from a browser, or * for any; empty: no CORS headers.",
    )

    # Privacy
    log_sensitive: bool = Field(
        False, description="Log recognised names and numbers unmasked (off by default)."
    )

    @field_validator("secret_key", "secret_key_previous")
    @classmethod
    def _key_long_enough(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and len(v.get_secret_value()) < 32:
            raise ValueError("IDCARD_SECRET_KEY must be at least 32 characters")
        return v

    @field_validator("cors_origins")
    @classmethod
    def _origins_well_formed(cls, v: str) -> str:
        for origin in _split_list(v):
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                # A browser sends its origin without a path or trailing slash; such an entry
                # would never match, so it is refused at start rather than failing silently.
                raise ValueError(
                    "IDCARD_CORS_ORIGINS takes origins like https://intranet.example:8443 "
                    "(scheme, host, optional port; no path or trailing slash) or *"
                )
        return v

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'idcard-ocr.db').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def allowed_url_hosts(self) -> frozenset[str]:
        return frozenset(h.lower() for h in _split_list(self.url_allow_hosts))

    @property
    def cors_origin_list(self) -> tuple[str, ...]:
        """The origins allowed to call from a browser; ``("*",)`` for any; empty when CORS is off."""
        # Browsers send the origin lower-cased; Starlette compares it exactly.
        origins = tuple(origin.lower() for origin in _split_list(self.cors_origins))
        return ("*",) if "*" in origins else origins


_ORIGIN = re.compile(r"https?://[^/?#\s]+", re.IGNORECASE)


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
