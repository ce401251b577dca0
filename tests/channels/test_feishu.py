from dataclasses import replace

from integrations.channels.feishu import FeishuChannel
from integrations.channels.secrets import Secret
from tests.channels.helpers import FAST_TIMEOUT, no_limit, vendor_limiter
from tests.fakes.samples import context, item

TOKEN, SECRET = "feishu-token-1", "feishu-secret-1"


def channel(server, clock, *, token=TOKEN, secret=SECRET, limiter=None, msg_type="post"):
    return FeishuChannel("fs", Secret(token), Secret(secret) if secret else None, msg_type=msg_type,
                         base_url=server.url, limiter=limiter or no_limit(), timeout=FAST_TIMEOUT,
                         wallclock=clock.time)


def one(ch, kind="urge", **kw):
    [msg] = ch.prepare(kind, context(kind, **kw))
    return msg


def test_signed_post_arrives_with_title_paragraphs_and_mention(fake_feishu, fake_clock):
    ch = channel(fake_feishu, fake_clock)
    result = ch.send(one(ch))
    assert (result.outcome, result.errcode) == ("sent", 0)
    [got] = fake_feishu.deliveries
    lines = got.content.splitlines()
    assert lines[0] == "整改催办通知" and "区卫健委：" in lines
    assert "1. 【2026-001】县中医院串换药品、分解住院，违规结算医保基金7.11万元" in lines
    assert got.mentions == ("ou_wangming",)


def test_text_message_mentions_with_at_tag(fake_feishu, fake_clock):
    ch = channel(fake_feishu, fake_clock, msg_type="text")
    assert ch.send(one(ch)).ok
    assert fake_feishu.deliveries[0].content.endswith('<at user_id="ou_wangming"></at>')


def test_bad_signature_and_missing_keyword_are_permanent(make_fake, fake_clock):
    server = make_fake("feishu", bots={TOKEN: SECRET, "kw": None}, keywords={"kw": ["告警"]})
    bad = channel(server, fake_clock, secret="wrong").send(one(channel(server, fake_clock)))
    assert (bad.outcome, bad.errcode) == ("dead", 19021)
    kw = channel(server, fake_clock, token="kw", secret=None)
    result = kw.send(one(kw))
    assert (result.outcome, result.errcode) == ("dead", 19024)


def test_bad_request_with_http_400_is_permanent(fake_feishu, fake_clock):
    ch = channel(fake_feishu, fake_clock)
    result = ch.send(replace(one(ch), body='{"zh_cn": {"title": "", "content": [[{"tag": "text", "text": " "}]]}}',
                             recipient=replace(one(ch).recipient, feishu_open_id=None)))
    assert (result.outcome, result.http_status, result.errcode) == ("dead", 400, 9499)


def test_sixth_send_in_a_second_is_rate_limited(fake_feishu, fake_clock):
    ch = channel(fake_feishu, fake_clock)
    results = [ch.send(one(ch)) for _ in range(6)]
    assert [r.outcome for r in results] == ["sent"] * 5 + ["retry"]
    assert (results[5].errcode, results[5].rate_limited) == (11232, True)


def test_limiter_spaces_sends_per_second_and_per_minute(fake_feishu, fake_clock):
    ch = channel(fake_feishu, fake_clock, limiter=vendor_limiter("feishu", fake_clock))
    start = fake_clock.monotonic()
    assert all(ch.send(one(ch, items=[item(i)])).ok for i in range(105))
    assert "code:11232" not in fake_feishu.outcomes()
    assert fake_clock.monotonic() - start >= 60  # the 101st had to wait for the minute


def test_long_digest_parts_fit_20kb(fake_feishu, fake_clock):
    ch = channel(fake_feishu, fake_clock, limiter=vendor_limiter("feishu", fake_clock))
    parts = ch.prepare("digest", context("digest", items=[item(i, summary="医保基金违规😀" * 20) for i in range(150)]))
    assert len(parts) > 1
    assert [ch.send(p).outcome for p in parts] == ["sent"] * len(parts)
