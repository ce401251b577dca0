"""Dispatch fixtures: channels pointed at the fake vendors on the fake clock,
and notices queued the way producers queue them (one unique marker per
notice, so each delivery can be traced to the notice it came from)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from integrations.channels.dingtalk import DingTalkChannel
from integrations.channels.email_webhook import EmailWebhookChannel
from integrations.channels.feishu import FeishuChannel
from integrations.channels.folder import FolderChannel
from integrations.channels.ratelimit import VENDOR_RULES, SlidingWindowLimiter
from integrations.channels.registry import ChannelRegistry
from integrations.channels.secrets import Secret
from integrations.channels.wecom import WeComChannel
from models.db import transaction
from models.outbox import Notice, enqueue
from tests.fakes.samples import context, item

NOW = datetime(2026, 4, 6, 9, 0)
TIMEOUT = (2.0, 0.3)  # read timeout well under a fault's delay
SLOW = 0.6            # seconds a "timeout" fault holds the reply
DING_SECRET = "SEC" + "0123456789abcdef" * 4
# notice channel (as routes name them) -> registry name of the robot or mailbox
TARGETS = {"wecom": "wjw", "dingtalk": "cz", "feishu": "rmyy", "smtp": "wangming@wjw.example.gov.cn",
           "folder": "outbox"}
MARK = re.compile(r"【N(\d{4})】")


def limiter(vendor: str, clock) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(VENDOR_RULES[vendor], clock=clock)


@dataclass
class Vendors:
    wecom: object
    dingtalk: object
    feishu: object
    mail: object
    folder: Path
    registry: ChannelRegistry

    def servers(self):
        return {"wecom": self.wecom, "dingtalk": self.dingtalk, "feishu": self.feishu, "smtp": self.mail}

    def delivered(self) -> Counter:
        """How often each notice marker reached a group or mailbox (file messages excluded)."""
        counts = Counter()
        for server in self.servers().values():
            for d in server.deliveries:
                counts.update(MARK.findall(d.content))
        return counts


def make_registry(clock, folder, wecom=None, dingtalk=None, feishu=None, mail=None, extra=()) -> ChannelRegistry:
    channels = [FolderChannel("outbox", folder)]
    if wecom:
        channels.append(WeComChannel("wjw", Secret("wecom-key-1"), base_url=wecom.url, limiter=limiter("wecom", clock),
                                     timeout=TIMEOUT))
    if dingtalk:
        channels.append(DingTalkChannel("cz", Secret("ding-token-1"), Secret(DING_SECRET), base_url=dingtalk.url,
                                        limiter=limiter("dingtalk", clock), timeout=TIMEOUT, wallclock=clock.time))
    if feishu:
        channels.append(FeishuChannel("rmyy", Secret("feishu-token-1"), Secret("feishu-secret-1"), base_url=feishu.url,
                                      limiter=limiter("feishu", clock), timeout=TIMEOUT, wallclock=clock.time))
    if mail:
        channels.append(EmailWebhookChannel("mail", Secret("SG.fake-key-1"), sender="zgb@example.gov.cn",
                                            sender_name="区医保基金整改办", base_url=mail.url, timeout=TIMEOUT))
    channels.extend(extra)
    return ChannelRegistry({c.name: c for c in channels}, "outbox")


@pytest.fixture
def vendors(make_fake, fake_clock, tmp_path):
    """All four HTTP fakes (optionally with faults) and a registry over them."""

    def build(faults=None) -> Vendors:
        servers = {name: make_fake(name, **({"faults": faults(name)} if faults else {}))
                   for name in ("wecom", "dingtalk", "feishu", "mailapi")}
        folder = tmp_path / "outbox"
        registry = make_registry(fake_clock, folder, servers["wecom"], servers["dingtalk"], servers["feishu"],
                                 servers["mailapi"])
        return Vendors(servers["wecom"], servers["dingtalk"], servers["feishu"], servers["mailapi"], folder, registry)

    return build


def marked_context(n: int, kind: str = "urge", items: int = 1, **overrides):
    """A notice context whose findings carry the marker 【N<n>】."""
    rows = [item(n * 100 + i, summary=f"【N{n:04d}】区人民医院重复收费、超标准收费第{i + 1}项")
            for i in range(items)]
    return context(kind, items=rows, **overrides)


def queue(engine, n: int, channel: str = "wecom", *, kind: str = "urge", items: int = 1, now: datetime = NOW,
          target: str | None = None, attachment_path: str | None = None, **overrides) -> int:
    with transaction(engine) as session:
        return enqueue(session, key=f"test:{n}:{channel}", kind=kind, channel=channel,
                       target=target or TARGETS[channel], recipient="区卫健委（王明）",
                       context=marked_context(n, kind, items, **overrides).to_dict(), now=now,
                       attachment_path=attachment_path)


def notices(engine) -> list[Notice]:
    with Session(engine) as session:
        return list(session.exec(select(Notice).order_by(Notice.id)))


def notice(engine, notice_id: int) -> Notice:
    with Session(engine) as session:
        return session.get(Notice, notice_id)
