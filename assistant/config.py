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
    # Abstention, calibrated on the bundled test set (README, Evaluation): a question is answered
    # only if its names and figures all appear in the top passages, its best passage is at least
    # this similar (a floor for clearly off-topic questions), and they hold this share of its
    # key terms.
    min_relevance: float = 0.42
    min_overlap: float = 0.30

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

    host: str = "127.0.0.1"
    port: int = 7860

    # Accounts: none means local single-user mode; any account means everyone signs in.
    accounts_file: Path | None = None  # default data_dir/accounts.json
    # A JSON list of {name, role, password_hash}: accounts fixed by the deployment, read-only.
    accounts_json: str | None = None
    audit_max_mb: float = 5.0  # the audit log rotates past this size
    audit_keep: int = 10  # rotated audit files kept; older ones are dropped

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def accounts_path(self) -> Path:
        return self.accounts_file or self.data_dir / "accounts.json"

    @property
    def audit_path(self) -> Path:
        return self.data_dir / "audit" / "audit.jsonl"
