import pytest

from integrations.channels.dingtalk import DingTalkChannel
from integrations.channels.secrets import Secret
from models.errors import ValidationError
from tests.channels.helpers import FAST_TIMEOUT, no_limit, vendor_limiter
from tests.fakes.samples import context, item

TOKEN = "ding-token-1"
SECRET = "SEC" + "0123456789abcdef" * 4


def channel(server, clock, *, token=TOKEN, secret=SECRET, limiter=None, skew=0.0, msgtype="markdown"):
    return DingTalkChannel("cz", Secret(token), Secret(secret) if secret else None, msgtype=msgtype,
                           base_url=server.url, limiter=limiter or no_limit(), timeout=FAST_TIMEOUT,
                           wallclock=lambda: clock.time() + skew)


def one(ch, kind="urge", **kw):
    [msg] = ch.prepare(kind, context(kind, **kw))
    return msg


def test_signed_markdown_arrives_with_the_mention_in_text_and_at(fake_dingtalk, fake_clock):
    ch = channel(fake_dingtalk, fake_clock)
    result = ch.send(one(ch))
    assert (result.outcome, result.errcode) == ("sent", 0)
    [got] = fake_dingtalk.deliveries
    assert got.payload["markdown"]["title"] == "整改催办通知"
    assert "**1. 2026-001**" in got.content
    assert got.content.rstrip().endswith("@13800000001 @ding-wm")
    assert got.payload["at"] == {"atMobiles": ["13800000001"], "atUserIds": ["ding-wm"], "isAtAll": False}


def test_text_message(fake_dingtalk, fake_clock):
    ch = channel(fake_dingtalk, fake_clock, msgtype="text")
    assert ch.send(one(ch)).ok
    assert fake_dingtalk.deliveries[0].content.startswith("整改催办通知")


def test_wrong_secret_and_stale_timestamp_are_permanent(fake_dingtalk, fake_clock):
    bad = channel(fake_dingtalk, fake_clock, secret="SEC-not-the-secret").send(one(channel(fake_dingtalk, fake_clock)))
    assert (bad.outcome, bad.errcode) == ("dead", 310000) and "sign not match" in bad.errmsg
    late = channel(fake_dingtalk, fake_clock, skew=-7200)
    result = late.send(one(late))
    assert (result.outcome, result.errcode, result.errmsg) == ("dead", 310000, "invalid timestamp")
    assert fake_dingtalk.deliveries == []


def test_secret_must_look_like_a_dingtalk_secret(fake_dingtalk, fake_clock):
    with pytest.raises(ValidationError, match="应以“SEC”开头"):
        channel(fake_dingtalk, fake_clock, secret="0123")


def test_unknown_token_is_permanent(fake_dingtalk, fake_clock):
    ch = channel(fake_dingtalk, fake_clock, token="nope")
    result = ch.send(one(ch))
    assert (result.outcome, result.errcode) == ("dead", 300001)


def test_keyword_security(make_fake, fake_clock):
    server = make_fake("dingtalk", robots={"kw": None}, keywords={"kw": ["整改"]})
    ch = channel(server, fake_clock, token="kw", secret=None)
    assert ch.send(one(ch)).ok
    server.keywords["kw"] = ["告警"]
    result = ch.send(one(ch))
    assert (result.outcome, result.errcode, result.errmsg) == ("dead", 310000, "keywords not in content")


def test_over_20_a_minute_is_retryable_with_a_ten_minute_hold(fake_dingtalk, fake_clock):
    ch = channel(fake_dingtalk, fake_clock)
    results = [ch.send(one(ch)) for _ in range(21)]
    last = results[-1]
    assert (last.outcome, last.errcode, last.rate_limited, last.retry_after) == ("retry", 130101, True, 600.0)
    assert len(fake_dingtalk.deliveries) == 20


def test_limiter_keeps_25_sends_under_the_limit(fake_dingtalk, fake_clock):
    ch = channel(fake_dingtalk, fake_clock, limiter=vendor_limiter("dingtalk", fake_clock))
    assert all(ch.send(one(ch, items=[item(i)])).ok for i in range(25))
    assert "errcode:130101" not in fake_dingtalk.outcomes()


def test_long_digest_is_sent_in_parts_each_accepted(fake_dingtalk, fake_clock):
    ch = channel(fake_dingtalk, fake_clock)
    parts = ch.prepare("digest", context("digest", items=[item(i, summary="医保基金违规使用问题😀" * 12) for i in range(120)]))
    assert len(parts) > 1
    assert [ch.send(p).outcome for p in parts] == ["sent"] * len(parts)
    assert "errcode:460101" not in fake_dingtalk.outcomes()
