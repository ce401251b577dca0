import json
import re

import pytest

from tests.fakes.samples import context, item
from integrations.channels.dingtalk import DingTalkChannel
from integrations.channels.feishu import FeishuChannel
from integrations.channels.secrets import Secret
from integrations.channels.wecom import WeComChannel
from tests.channels.helpers import no_limit
from models.errors import ValidationError
from notices.render import body_bytes, render, split_for_channel

# 3-byte CJK and 4-byte emoji in every summary, so any byte-level cut would break a character.
EMOJI_SUMMARY = "定点医院超标准收费🏥涉及金额💰较大，需追回基金并完善审核制度😀"


def items(n):
    return [item(i, summary=f"{EMOJI_SUMMARY}（第{i}项）") for i in range(1, n + 1)]


def numbers_in(text):
    return re.findall(r"2026-\d{3}", text)


@pytest.mark.parametrize("limit", [1200, 2048, 4096])
def test_digest_split_by_bytes_never_mid_item(limit):
    ctx = context("digest", items=items(40))
    parts = split_for_channel("digest", "text", ctx, limit)
    assert len(parts) > 1
    seen = []
    for i, part in enumerate(parts, 1):
        assert body_bytes(part) <= limit
        part.body.encode("utf-8").decode("utf-8")  # whole characters only
        assert part.subject == f"整改事项汇总通知（第{i}/{len(parts)}部分）"
        assert part.body.startswith(part.subject)
        assert (part.part, part.parts) == (i, len(parts))
        # every item present in a part is present whole: number, summary, deadline, and its demand
        # (shared by its group, so printed once under the group's heading in this part)
        for number in numbers_in(part.body):
            n = int(number[-3:])
            head, block = part.body[:part.body.index(number)], part.body[part.body.index(number):]
            assert f"{EMOJI_SUMMARY}（第{n}项）" in block.split("\n")[0]
            assert "整改时限：" in block.split("\n")[1]
            assert "整改要求：追回违规资金" in head[head.rindex("事项（"):]
        seen += numbers_in(part.body)
    assert sorted(seen) == [f"2026-{i:03d}" for i in range(1, 41)]  # each finding exactly once


def test_short_message_is_not_split():
    ctx = context("urge", 2)
    parts = split_for_channel("urge", "text", ctx, 2048)
    assert len(parts) == 1 and parts[0].subject == "整改催办通知" and "部分" not in parts[0].body


def test_one_oversized_item_is_shortened_not_cut_across_messages():
    huge = item(1, summary="😀中" * 2000)
    parts = split_for_channel("urge", "text", context("urge", items=[huge, item(2)]), 2048)
    assert [numbers_in(p.body) for p in parts] == [["2026-001"], ["2026-002"]]
    assert body_bytes(parts[0]) <= 2048 and "……" in parts[0].body
    assert "😀中😀中" in parts[0].body


def test_limit_too_small_for_the_frame_is_refused():
    with pytest.raises(ValidationError, match="超过渠道上限（300 字节）"):
        split_for_channel("urge", "text", context("urge", 3), 300)


def test_failure_summary_splits_by_failure_lines():
    failures = [{"recipient": f"单位{i}", "channel": "wecom_x", "kind": "urge", "attempts": 5, "state": "dead",
                 "errcode": 93000, "errmsg": "invalid webhook url 🚫"} for i in range(60)]
    ctx = context("failure_summary", extra={"failures": failures})
    parts = split_for_channel("failure_summary", "text", ctx, 2048)
    assert len(parts) > 1 and all(body_bytes(p) <= 2048 for p in parts)
    assert sum(p.body.count("invalid webhook url") for p in parts) == 60


@pytest.mark.parametrize("make", [
    lambda: WeComChannel("w", Secret("k-split-1"), msgtype="text", limiter=no_limit()),
    lambda: WeComChannel("w", Secret("k-split-2"), msgtype="markdown", limiter=no_limit()),
    lambda: DingTalkChannel("d", Secret("t-split"), Secret("SECsplit"), limiter=no_limit()),
    lambda: FeishuChannel("f", Secret("t-split-f"), Secret("s-split"), limiter=no_limit()),
], ids=["wecom-text", "wecom-markdown", "dingtalk", "feishu"])
def test_channel_parts_fit_the_vendor_measure(make):
    channel = make()
    ctx = context("digest", items=items(150))
    parts = channel.prepare("digest", ctx)
    assert len(parts) > 1
    for part in parts:
        assert channel.payload_size(part) <= channel.max_bytes
    assert sum(len(numbers_in(p.body)) for p in parts) == 150


def test_wecom_markdown_counts_the_mention_tags():
    channel = WeComChannel("w", Secret("k-split-3"), limiter=no_limit())
    msg = render("urge", "wecom_md", context("urge"))
    assert channel.payload_size(msg) == len(msg.body.rstrip("\n").encode()) + len("\n<@wangming>")


def test_feishu_measure_is_the_whole_json_body():
    channel = FeishuChannel("f", Secret("t-split-f2"), Secret("s-split2"), limiter=no_limit())
    msg = render("urge", "feishu_post", context("urge"))
    body = json.dumps(channel.payload(msg), ensure_ascii=False, separators=(",", ":")).encode()
    assert channel.payload_size(msg) == len(body)


def test_digest_parts_keep_step_groups_together():
    parts = split_for_channel("digest", "text", context("digest", items=items(40)), 2048)
    headings = [line.split("（")[0][2:] for p in parts for line in p.body.splitlines() if "事项（" in line]
    # each group starts once and continues in the next part at most: no group reappears after another
    collapsed = [h for i, h in enumerate(headings) if i == 0 or headings[i - 1] != h]
    assert collapsed == ["约谈事项", "督办事项", "逾期未整改事项", "即将到期事项"]
