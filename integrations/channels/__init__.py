"""Notification channels: WeCom, DingTalk, Feishu robots, e-mail, a local folder.

See base.py for the interface and the outcome of a send, registry.py for
configuration.
"""
from integrations.channels.base import Channel, SendResult
from integrations.channels.registry import ChannelRegistry, build_channels, load_channels
from integrations.channels.secrets import Secret, redact

__all__ = ["Channel", "SendResult", "ChannelRegistry", "build_channels", "load_channels", "Secret", "redact"]
