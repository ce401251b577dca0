"""Where Rectify finds its database and its configuration.

One setting decides the database: the environment variable
RECTIFY_DATABASE_URL, else `[database] url` in the config file, else a
SQLite file `rectify.db` in the working directory. The config file is
RECTIFY_CONFIG, else `rectify.toml` in the working directory if present.
"""
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import ValidationError

DEFAULT_DATABASE_FILE = "rectify.db"
DEFAULT_DATA_DIR = "rectify-data"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    config_path: Path | None = None
    # The whole parsed config, for the sections other modules own
    # (calendar, policy, channels, documents, schedule).
    config: dict = field(default_factory=dict)

    def section(self, name: str) -> dict:
        return self.config.get(name, {})

    def path_setting(self, section: str, key: str) -> Path | None:
        """A path from the config, relative to the config file's folder."""
        value = self.section(section).get(key)
        if not value:
            return None
        path = Path(value).expanduser()
        if not path.is_absolute() and self.config_path is not None:
            path = self.config_path.parent / path
        return path


def load_settings(cwd: Path | None = None, environ: dict | None = None) -> Settings:
    cwd = Path.cwd() if cwd is None else cwd
    environ = os.environ if environ is None else environ
    config_path = _config_path(cwd, environ)
    config = _read_config(config_path) if config_path else {}
    url = (
        environ.get("RECTIFY_DATABASE_URL")
        or config.get("database", {}).get("url")
        or f"sqlite:///{cwd / DEFAULT_DATABASE_FILE}"
    )
    base = config_path.parent if config_path else cwd
    url = _anchor_sqlite(url, base)
    data_dir = Path(environ.get("RECTIFY_DATA_DIR") or config.get("data_dir") or base / DEFAULT_DATA_DIR)
    if not data_dir.is_absolute():
        data_dir = base / data_dir
    return Settings(database_url=url, data_dir=data_dir, config_path=config_path, config=config)


def _anchor_sqlite(url: str, base: Path) -> str:
    """A relative SQLite path in the config means relative to the config file, not to wherever rectify runs."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(base / url[len(prefix):])
    return url


def _config_path(cwd: Path, environ) -> Path | None:
    explicit = environ.get("RECTIFY_CONFIG")
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ValidationError(f"配置文件 {path} 不存在（由环境变量 RECTIFY_CONFIG 指定）")
        return path.resolve()
    default = cwd / "rectify.toml"
    return default.resolve() if default.is_file() else None


def _read_config(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"配置文件 {path} 格式错误：{exc}") from None
