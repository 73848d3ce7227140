"""The one settings object, read from the environment and `.env`.

Neo4j connection variables use the names every Neo4j tool knows (NEO4J_URI, NEO4J_USER,
NEO4J_PASSWORD, NEO4J_DATABASE); everything else is prefixed FISSION_.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from fission.errors import ConfigurationError


class ApiKeyEntry(BaseModel):
    """One API key, stored as the SHA-256 of the key (keys are random, so no slow hash)."""

    name: str
    role: Literal["hq", "store", "staff", "ingest"]
    store_id: str | None = None
    staff_id: str | None = Field(None, description="The staff member of a staff key.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @model_validator(mode="after")
    def _scoped_keys_name_their_scope(self) -> ApiKeyEntry:
        if (self.role in ("store", "staff")) != (self.store_id is not None):
            raise ValueError("a store or staff key needs store_id; hq and ingest keys have none")
        if (self.role == "staff") != (self.staff_id is not None):
            raise ValueError("a staff key needs staff_id; other keys have none")
        return self


def _neo4j(name: str) -> AliasChoices:
    return AliasChoices(f"NEO4J_{name}", f"FISSION_NEO4J_{name}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FISSION_", env_file=".env", extra="ignore", populate_by_name=True
    )

    environment: Literal["local", "production"] = Field(
        "local",
        description="`local` may read the generated password of the project's own Neo4j; "
        "`production` requires every secret to be given explicitly.",
    )

    neo4j_uri: str = Field("bolt://127.0.0.1:7687", validation_alias=_neo4j("URI"))
    neo4j_user: str = Field("neo4j", validation_alias=_neo4j("USER"))
    neo4j_password: SecretStr | None = Field(None, validation_alias=_neo4j("PASSWORD"))
    neo4j_database: str = Field("neo4j", validation_alias=_neo4j("DATABASE"))
    neo4j_max_pool_size: int = 20
    neo4j_transaction_retry_seconds: float = Field(
        120.0,
        ge=0,
        description="How long commands (loads, derivation, influence) retry a transaction on "
        "transient errors and lost connections, e.g. while Neo4j restarts. Every write is "
        "idempotent, so a retried batch never counts twice.",
    )

    var_dir: Path = Field(
        default_factory=lambda: Path.cwd() / ".var",
        description="Working folder (git-ignored in a checkout): Neo4j jars, server home, demo "
        "data, rejects, API keys. Default: `.var` in the current folder; the Docker image sets "
        "FISSION_VAR_DIR to a writable volume.",
    )
    local_bolt_port: int = 7687
    local_http_port: int = 7474
    local_heap: str = Field(
        "auto",
        pattern=r"^(auto|\d+[kmgKMG]?)$",
        description="The local server's Java heap: a size such as 4g, or `auto`: a sixth of the "
        "machine's memory, 1 to 8 GiB (fission.localserver.memory_plan).",
    )
    local_pagecache: str = Field(
        "auto",
        pattern=r"^(auto|\d+[kmgKMG]?)$",
        description="The local server's page cache: a size, or `auto`: the store's size and "
        "half again, at least 2 GiB, at most two fifths of the machine's memory; sized at "
        "each start.",
    )
    local_plugins: bool = Field(
        True,
        description="Assemble the open Graph Data Science library and APOC core into the local "
        "server (and the tests' throwaway servers) and load them.",
    )
    influence_engine: Literal["auto", "gds", "igraph"] = Field(
        "auto",
        description="How influence PageRank is computed: `gds` (gds.pageRank in the database), "
        "`igraph` (in Python on the edges read out), or `auto`: GDS when the server has it.",
    )
    import_heap: str = Field(
        "2g", description="Java heap of `neo4j-admin database import` (fission import)."
    )
    import_max_off_heap: str = Field(
        "6g",
        description="Memory `neo4j-admin database import` may use off the heap for its caches "
        "(a size such as 6g, or a percentage of the machine's memory).",
    )
    import_threads: int | None = Field(
        None, ge=1, description="Threads of `neo4j-admin database import`; default: every core."
    )

    load_chunk_rows: int = Field(50_000, ge=1, description="Rows read from a file at a time.")
    load_batch_rows: int = Field(5_000, ge=1, description="Rows written per transaction.")
    load_writers: int = Field(
        1,
        ge=1,
        le=16,
        description="Write transactions in flight at once (loads, derivation). One already "
        "overlaps reading and validation with writing; more contend for locks on popular "
        "people and shares (2 measured no faster on `medium`).",
    )

    api_keys: list[ApiKeyEntry] = Field(
        default_factory=list, description="FISSION_API_KEYS: a JSON list of ApiKeyEntry."
    )
    api_keys_file: Path | None = Field(
        None, description="A JSON file with more keys (default: <var_dir>/api-keys.json)."
    )
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_database_wait_seconds: float = Field(
        3.0,
        ge=0,
        description="How long an API request retries while Neo4j does not answer before it "
        "answers 503 (commands wait FISSION_NEO4J_TRANSACTION_RETRY_SECONDS instead).",
    )
    api_max_body_bytes: int = Field(
        8 * 1024 * 1024, ge=1024, description="Largest request body; larger ones answer 413."
    )
    pseudonym_secret: SecretStr | None = Field(
        None,
        description="The brand's secret for pseudonymising person ids at the edge (keyed "
        "hash); unset, person ids are stored as they arrive (README, Personal data).",
    )
    api_workers: int = Field(
        1,
        ge=1,
        le=64,
        description="API processes `fission serve` starts (uvicorn workers): each answers on one "
        "core at a time, so throughput under many clients grows with workers up to the cores "
        "the database leaves free.",
    )
    key_node_top_share: float = Field(
        0.01, gt=0, le=1, description="Key node: among this top share of store influence."
    )
    key_node_min_reach3: int = Field(10, ge=1, description="Key node: or reach(p, 3) >= this.")
    value_snapshot_max_hours: float = Field(
        24.0,
        ge=0,
        description="Brand-wide customer value asked without a window is answered from the "
        "precomputed snapshot while it is at most this old (0: always computed live).",
    )
    ingest_max_events: int = Field(10_000, ge=1, description="Events per POST /events call.")
    held_warn_count: int = Field(
        1000, ge=1, description="Status and the HQ page warn when this many events are held."
    )
    influence_max_age_hours: float = Field(
        24.0, gt=0, description="Status and the HQ page warn when influence is older than this."
    )
    seed_propagation_probability: float = Field(
        0.1,
        gt=0,
        le=1,
        description="Whom to seed: the chance that a share passes from a person to each past "
        "visitor of their shares (independent-cascade model; see graph.seeds).",
    )
    held_max_age_days: float = Field(
        30.0,
        gt=0,
        description="Held events (rows and events naming something not known yet) still waiting "
        "after this many days are expired into a report (<var_dir>/held/), not dropped silently.",
    )
    map_max_nodes: int = Field(
        1500, description="Above this many people a store map shows key nodes and aggregates."
    )
    recommendation_log_seconds: float = Field(
        1.0,
        gt=0,
        description="The API writes the recommendation lists it served for follow-through "
        "once per this many seconds, in one transaction (graph.followthrough.ServedLog).",
    )
    hq_overview_max_age_seconds: float = Field(
        3600.0,
        ge=0,
        description="HQ pages read the stored overview (refreshed after loads, derivation and "
        "influence refreshes) while no count changed and it is at most this old; else the "
        "first HQ request recomputes it.",
    )
    page_language: Literal["zh", "en"] = Field(
        "zh", description="Pages' language when neither ?lang, a cookie nor the browser says."
    )
    display_timezone: str = Field(
        "Asia/Shanghai", description="Time zone pages and reports show times in (IANA name)."
    )

    @field_validator("display_timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {name!r} (an IANA name such as Asia/Shanghai)"
            ) from exc
        return name

    @model_validator(mode="after")
    def _production_needs_password(self) -> Settings:
        if self.environment == "production" and self.neo4j_password is None:
            raise ValueError("NEO4J_PASSWORD must be set when FISSION_ENVIRONMENT=production")
        return self

    @property
    def local_server_home(self) -> Path:
        return self.var_dir / "neo4j"

    @property
    def local_password_file(self) -> Path:
        return self.var_dir / "neo4j-password"

    @property
    def held_report_dir(self) -> Path:
        """Where expired held events are reported (`expired-held-<date>.csv`)."""
        return self.var_dir / "held"

    @property
    def api_keys_path(self) -> Path:
        """The keys file `fission api-key create` writes and the API reads."""
        return self.api_keys_file or self.var_dir / "api-keys.json"

    def all_api_keys(self) -> list[ApiKeyEntry]:
        """Keys from FISSION_API_KEYS plus those in the keys file."""
        stored: list[ApiKeyEntry] = []
        if self.api_keys_path.exists():
            entries = json.loads(self.api_keys_path.read_text())
            stored = [ApiKeyEntry.model_validate(e) for e in entries]
        return [*self.api_keys, *stored]

    def password(self) -> str:
        """The Neo4j password: explicit setting, else (local only) the generated one."""
        if self.neo4j_password is not None:
            return self.neo4j_password.get_secret_value()
        if self.environment == "local" and self.local_password_file.exists():
            return self.local_password_file.read_text().strip()
        raise ConfigurationError(
            "No Neo4j password: set NEO4J_PASSWORD, or start the local server once "
            "(`fission server start`) so that it generates one."
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
