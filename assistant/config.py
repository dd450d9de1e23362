"""Settings: built once at the edge (CLI, app, tests) and passed in; nothing else reads the env."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def configure_offline() -> None:
    """Make every library we load behave offline: no model downloads, no analytics, no telemetry.

    Called by each entry point before heavy imports; values the user set explicitly are kept.
    """
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


# Limits on what a caller may send: a question (or a test-set question) of more than this many
# characters is refused, as is a test set over these sizes (a 60 MB question once took the
# server from 1 GB to 8.5 GB of memory).
MAX_QUESTION_CHARS = 2000
MAX_HISTORY_TURNS = 20
MAX_TESTSET_MB = 5.0
MAX_TESTSET_QUESTIONS = 2000


def private_files() -> None:
    """Files and folders this process creates are its owner's alone (0600 / 0700): the library
    holds questions, accounts and the audit log, and the vector store writes its own files."""
    os.umask(0o077)


class Settings(BaseSettings):
    """Every knob of the product; environment variables use the prefix GUIDE_ (GUIDE_DATA_DIR)."""

    model_config = SettingsConfigDict(env_prefix="GUIDE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path(".data"), description="where the library lives")
    # Chroma: embedded (PersistentClient under data_dir) unless a server host is given.
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection: str = "mutuals-guide"

    embed_batch_size: int = 32
    top_k: int = 10  # ranked passages returned with every answer (evaluators score these)
    answer_passages: int = 5  # passages the answer may quote from
    answer_sentences: int = 4  # at most this many sentences in an extractive answer
    # Abstention (README, "Abstention"). A question whose best passage is less similar than
    # min_relevance is refused at once (a floor for clearly off-topic questions). Past it, the
    # "rule" (the default) refuses unless every name and figure of the question is in the top
    # passages and they hold min_overlap of its key terms. "model" decides instead from the
    # answer that would be given: a logistic regression over the evidence and the lead sentence
    # (assistant.answerability), refusing below answerability_threshold (None: the fitted one);
    # not yet the default, as it does not beat the rule on a library it was not fitted on.
    # "off" answers everything past the floor (for fitting the model and for diagnosis).
    # Between min_relevance and familiar_relevance, a question with two or more words that no
    # passage of the library uses is refused as being about something else.
    min_relevance: float = 0.30
    min_overlap: float = 0.30
    familiar_relevance: float = 0.42
    answerability: Literal["model", "rule", "off"] = "rule"
    answerability_threshold: float | None = None

    # Answers: "none" composes them from the passages (the default; no model ships offline that
    # writes usable answers); "openai" uses any OpenAI-compatible server (Ollama, vLLM, llama.cpp
    # server, Azure OpenAI's v1 endpoint); "llamacpp" loads a local GGUF (install extra 'llm').
    llm_backend: Literal["none", "openai", "llamacpp"] = "none"
    llm_base_url: str | None = None
    llm_model: str = "local-model"
    llm_api_key: SecretStr | None = None
    llm_model_path: Path | None = None
    llm_max_tokens: int = 400
    llm_timeout: float = 120.0

    max_file_mb: float = 50.0
    max_pages: int = 2000
    # Each file is read in a child process stopped past these budgets (ingest.bounded); a file
    # over them is refused with the reason. Ordinary files take well under a second a page.
    parse_seconds: float = 120.0
    parse_memory_mb: int = 2048
    max_question_chars: int = MAX_QUESTION_CHARS
    # A write starts only if the disk would still have this much free afterwards.
    min_free_mb: float = 25.0

    host: str = "127.0.0.1"
    port: int = 7860

    # Accounts: none means local single-user mode; any account means everyone signs in.
    accounts_file: Path | None = None  # default data_dir/accounts.json
    # A JSON list of {name, role, password_hash}: accounts fixed by the deployment, read-only.
    accounts_json: str | None = None
    audit_max_mb: float = 5.0  # the audit log rotates past this size
    audit_keep: int = 10  # rotated audit files kept; older ones are dropped

    # Sign-in (README, "Staff, roles and the audit log"). A name, or one client address, that
    # fails this many times within the window is paused: the first pause lasts
    # sign_in_pause_minutes, each further one in a row twice as long, up to the maximum; during
    # a pause even the right password is refused.
    sign_in_name_failures: int = 5
    sign_in_client_failures: int = 20
    sign_in_window_minutes: float = 15.0
    sign_in_pause_minutes: float = 5.0
    sign_in_max_pause_minutes: float = 60.0
    # Failed sign-ins go to their own rotating log, so they can never push out the audit log.
    sign_in_log_max_mb: float = 2.0
    sign_in_log_keep: int = 3
    # A session ends after this long unused, or this long after signing in, whichever is first.
    session_idle_minutes: float = 60.0
    session_max_hours: float = 12.0
    # Reverse proxies (comma-separated addresses) whose X-Forwarded-For and -Proto are believed;
    # by default none is, so a client's address is the one it connects from.
    trusted_proxies: str = ""
    # Operational logs (assistant.logs): JSON lines on stderr. Question text and other things
    # people typed are logged only with log_questions on.
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_questions: bool = False

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def accounts_path(self) -> Path:
        return self.accounts_file or self.data_dir / "accounts.json"

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit" / "audit.jsonl"

    @property
    def sign_in_failures_path(self) -> Path:
        return self.data_dir / "audit" / "sign-in-failures.jsonl"

    @property
    def sign_in_db_path(self) -> Path:
        """Sessions and sign-in throttling (SQLite, mode 0600)."""
        return self.data_dir / "sign-in.sqlite3"

    @property
    def api_tokens_path(self) -> Path:
        """API tokens for scripts, as SHA-256 digests (SQLite, mode 0600)."""
        return self.data_dir / "api-tokens.sqlite3"

    @property
    def conversations_db_path(self) -> Path:
        """Saved conversations and their retention period (SQLite, mode 0600)."""
        return self.data_dir / "conversations.sqlite3"

    @property
    def feedback_db_path(self) -> Path:
        """Officers' feedback on answers (SQLite, mode 0600)."""
        return self.data_dir / "feedback.sqlite3"

    @property
    def feedback_testset_path(self) -> Path:
        """The test set evaluators build from feedback (JSONL, the eval/testset.py format)."""
        return self.data_dir / "testsets" / "feedback.jsonl"
