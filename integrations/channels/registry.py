"""Configuration → channel instances.

The `[channels]` table of the configuration (TOML) names each webhook;
scalar entries are settings, tables are channels:

    [channels]
    secrets_file = "/etc/rectify/secrets.toml"   # optional, must be outside any git checkout
    default = "outbox"                           # optional; the channel used when a unit has none

    [channels.outbox]
    type = "folder"
    path = "rectify-data/outbox"                 # relative to the configuration file

    [channels.wjw_group]
    type = "wecom"
    key = "env:RECTIFY_WJW_WECOM_KEY"
    msgtype = "markdown"                          # or "text" (allows @mobile)

    [channels.ding_cz]
    type = "dingtalk"
    token = "file:ding_cz_token"                 # a key in secrets_file
    secret = "file:ding_cz_secret"

Credentials are never written in the configuration itself: a credential
field must be "env:NAME" (an environment variable) or "file:NAME" (a key
of the secrets file, a TOML table of name = "value"). Everything shown of
a channel is redacted.

With no channel configured, the registry holds one folder channel, so a
fresh machine works without network.
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from integrations.channels.base import Channel
from integrations.channels.dingtalk import DingTalkChannel
from integrations.channels.email_webhook import EmailWebhookChannel
from integrations.channels.feishu import FeishuChannel
from integrations.channels.folder import FolderChannel
from integrations.channels.secrets import Secret
from integrations.channels.smtp import SmtpChannel
from integrations.channels.wecom import WeComChannel
from models.errors import ValidationError

DEFAULT_NAME = "outbox"

# type -> (class, credential fields, other allowed fields)
_HTTP_OPTIONS = ("base_url", "timeout")
TYPES: dict[str, tuple[type[Channel], tuple[str, ...], tuple[str, ...]]] = {
    "wecom": (WeComChannel, ("key",), ("msgtype", *_HTTP_OPTIONS)),
    "dingtalk": (DingTalkChannel, ("token", "secret"), ("msgtype", *_HTTP_OPTIONS)),
    "feishu": (FeishuChannel, ("token", "secret"), ("msg_type", *_HTTP_OPTIONS)),
    "email_webhook": (EmailWebhookChannel, ("api_key",), ("sender", "sender_name", "path", *_HTTP_OPTIONS)),
    "smtp": (SmtpChannel, ("password",),
             ("host", "port", "security", "username", "sender", "sender_name", "timeout", "ca_file")),
    "folder": (FolderChannel, (), ("path",)),
}
OPTIONAL_CREDENTIALS = {("dingtalk", "secret"), ("feishu", "secret"), ("smtp", "password")}


def _inside_git_checkout(path: Path) -> bool:
    return any((parent / ".git").exists() for parent in path.resolve().parents)


def _read_toml(path: Path, what: str) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ValidationError(f"{what}“{path}”不存在") from None
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message quotes no values, only positions: safe for a secrets file too.
        raise ValidationError(f"{what}“{path}”格式错误：{exc}") from None


def load_secrets_file(path: str | Path) -> dict[str, str]:
    path = Path(path)
    if _inside_git_checkout(path):
        raise ValidationError(f"密钥文件“{path}”位于代码仓库内，请移到仓库之外（例如 /etc/rectify/）")
    data = _read_toml(path, "密钥文件")
    bad = [k for k, v in data.items() if not isinstance(v, str)]
    if bad:
        raise ValidationError(f"密钥文件“{path}”中以下条目不是字符串：{'、'.join(bad)}")
    return data


def resolve_secret(ref: Any, *, channel: str, field: str, env: Mapping[str, str],
                   secrets: Mapping[str, str] | None) -> Secret:
    where = f"渠道“{channel}”的“{field}”"
    if not isinstance(ref, str) or ":" not in ref or ref.split(":", 1)[0] not in ("env", "file"):
        # Do not echo the value: it may be the credential itself.
        raise ValidationError(f"{where}须写作“env:变量名”或“file:密钥名”，不得在配置中直接写入密钥")
    source, name = ref.split(":", 1)
    if source == "env":
        value = env.get(name)
        if not value:
            raise ValidationError(f"{where}引用的环境变量“{name}”未设置")
    else:
        if secrets is None:
            raise ValidationError(f"{where}引用了密钥文件，但未配置 secrets_file")
        value = secrets.get(name)
        if not value:
            raise ValidationError(f"{where}引用的密钥“{name}”在密钥文件中不存在")
    return Secret(value, source=ref)


class ChannelRegistry:
    def __init__(self, channels: Mapping[str, Channel], default: str):
        self._channels = dict(channels)
        if default not in self._channels:
            raise ValidationError(f"默认渠道“{default}”未配置")
        self.default_name = default

    def get(self, name: str | None = None) -> Channel:
        if name is None:
            return self._channels[self.default_name]
        try:
            return self._channels[name]
        except KeyError:
            raise ValidationError(f"渠道“{name}”未配置，已配置：{'、'.join(self._channels)}") from None

    @property
    def default(self) -> Channel:
        return self.get()

    def names(self) -> list[str]:
        return list(self._channels)

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._channels.values())

    def __contains__(self, name: str) -> bool:
        return name in self._channels

    def __repr__(self) -> str:
        return f"<ChannelRegistry default={self.default_name!r} {list(self._channels.values())!r}>"


def _build_one(name: str, spec: Mapping[str, Any], *, env, secrets, base_dir: Path) -> Channel:
    kind = spec.get("type")
    if kind not in TYPES:
        raise ValidationError(f"渠道“{name}”的类型“{kind}”无效，可选：{'、'.join(TYPES)}")
    cls, credential_fields, option_fields = TYPES[kind]
    unknown = set(spec) - {"type", *credential_fields, *option_fields}
    if unknown:
        raise ValidationError(f"渠道“{name}”（{kind}）含未知配置项：{'、'.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {}
    for field in credential_fields:
        if field in spec:
            kwargs[field] = resolve_secret(spec[field], channel=name, field=field, env=env, secrets=secrets)
        elif (kind, field) not in OPTIONAL_CREDENTIALS:
            raise ValidationError(f"渠道“{name}”（{kind}）缺少配置项“{field}”")
    for field in option_fields:
        if field in spec:
            kwargs[field] = spec[field]
    if "timeout" in kwargs and isinstance(kwargs["timeout"], list):
        kwargs["timeout"] = tuple(kwargs["timeout"])
    if kind == "folder":
        folder = Path(kwargs.pop("path", "outbox"))
        return FolderChannel(name, folder if folder.is_absolute() else base_dir / folder)
    if kind == "smtp":
        if "ca_file" in kwargs and not Path(kwargs["ca_file"]).is_absolute():
            kwargs["ca_file"] = str(base_dir / kwargs["ca_file"])
        for required in ("host", "sender"):
            if required not in kwargs:
                raise ValidationError(f"渠道“{name}”（smtp）缺少配置项“{required}”")
    if kind == "email_webhook" and "sender" not in kwargs:
        raise ValidationError(f"渠道“{name}”（email_webhook）缺少配置项“sender”")
    try:
        return cls(name, **kwargs)
    except TypeError as exc:
        raise ValidationError(f"渠道“{name}”（{kind}）配置无效：{exc}") from None


def build_channels(section: Mapping[str, Any] | None, *, base_dir: str | Path = ".",
                   default_folder: str | Path | None = None,
                   env: Mapping[str, str] | None = None) -> ChannelRegistry:
    """Channels from the `[channels]` table. With none configured, a folder channel
    named "outbox" at `default_folder` (or base_dir/outbox)."""
    env = os.environ if env is None else env
    base_dir = Path(base_dir)
    section = dict(section or {})
    secrets_path = section.pop("secrets_file", None) or env.get("RECTIFY_SECRETS_FILE")
    secrets = None
    if secrets_path:
        secrets_path = Path(secrets_path)
        secrets = load_secrets_file(secrets_path if secrets_path.is_absolute() else base_dir / secrets_path)
    default = section.pop("default", None)
    stray = [k for k, v in section.items() if not isinstance(v, Mapping)]
    if stray:
        raise ValidationError(f"[channels] 含未知设置：{'、'.join(stray)}")
    channels = {name: _build_one(name, spec, env=env, secrets=secrets, base_dir=base_dir)
                for name, spec in section.items()}
    if not channels:
        folder = Path(default_folder) if default_folder else base_dir / "outbox"
        channels[DEFAULT_NAME] = FolderChannel(DEFAULT_NAME, folder)
    return ChannelRegistry(channels, default or (DEFAULT_NAME if DEFAULT_NAME in channels else next(iter(channels))))


def load_channels(config_path: str | Path, *, env: Mapping[str, str] | None = None,
                  default_folder: str | Path | None = None) -> ChannelRegistry:
    """Read the `[channels]` table of a TOML configuration file."""
    config_path = Path(config_path)
    data = _read_toml(config_path, "配置文件")
    return build_channels(data.get("channels"), base_dir=config_path.parent, env=env,
                          default_folder=default_folder)
