import logging

from integrations.channels.base import SendResult
from integrations.channels.dingtalk import DingTalkChannel
from integrations.channels.feishu import FeishuChannel
from integrations.channels.secrets import Secret, redact
from integrations.channels.wecom import WeComChannel
from tests.channels.helpers import FAST_TIMEOUT, no_limit, closed_port
from tests.fakes.samples import context

KEY = "redact-wecom-key-d41d8cd98f"
TOKEN, SECRET = "redact-ding-token-0cc175b9", "SECredact-ding-secret-92eb5ffe"
FS_TOKEN = "redact-feishu-token-4a8a08f0"


def test_redact_masks_known_secrets_and_credential_shapes():
    Secret("s3cr3t-value-xyz")
    assert redact("error s3cr3t-value-xyz here") == "error *** here"
    assert redact("POST /cgi-bin/webhook/send?key=unknown-key&type=file") == "POST /cgi-bin/webhook/send?key=***&type=file"
    assert redact("/robot/send?access_token=abc&timestamp=1&sign=x%2B") == "/robot/send?access_token=***&timestamp=1&sign=***"
    assert redact("https://open.feishu.cn/open-apis/bot/v2/hook/abcd-ef?x") == "https://open.feishu.cn/open-apis/bot/v2/hook/***?x"
    assert redact("Authorization: Bearer SG.abc.def") == "Authorization: Bearer ***"
    assert redact({"a": ["s3cr3t-value-xyz", 3]}) == {"a": ["***", 3]}
    assert str(Secret("another-secret-1", source="env:X")) == "Secret(env:X)"


def test_results_never_carry_a_secret():
    Secret(KEY)  # as a channel holding it would
    result = SendResult(ok=False, channel="x", errmsg=f"proxy said key={KEY}", reply={"echo": KEY})
    assert KEY not in repr(result) and KEY not in str(result.to_dict())


def test_no_secret_in_logs_results_or_reprs(fake_wecom, fake_dingtalk, fake_feishu, fake_clock, caplog):
    fake_wecom.keys.add(KEY)
    fake_dingtalk.robots[TOKEN] = SECRET
    fake_feishu.bots[FS_TOKEN] = None
    caplog.set_level(logging.DEBUG)  # urllib3's debug lines print request URLs
    down = f"http://127.0.0.1:{closed_port()}"
    channels = [
        WeComChannel("w", Secret(KEY), base_url=fake_wecom.url, limiter=no_limit(), timeout=FAST_TIMEOUT),
        WeComChannel("w-down", Secret(KEY), base_url=down, limiter=no_limit(), timeout=FAST_TIMEOUT),
        DingTalkChannel("d", Secret(TOKEN), Secret(SECRET), base_url=fake_dingtalk.url, limiter=no_limit(),
                        wallclock=fake_clock.time),
        DingTalkChannel("d-down", Secret(TOKEN), Secret(SECRET), base_url=down, limiter=no_limit()),
        FeishuChannel("f", Secret(FS_TOKEN), base_url=fake_feishu.url, limiter=no_limit()),
        FeishuChannel("f-down", Secret(FS_TOKEN), base_url=down, limiter=no_limit()),
    ]
    shown = []
    for ch in channels:
        [msg] = ch.prepare("urge", context("urge"))
        result = ch.send(msg)
        shown += [repr(ch), repr(result), str(result.to_dict())]
    outcomes = [c for c in shown if c.startswith("SendResult")]
    assert [("ok=True" in s) for s in outcomes] == [True, False, True, False, True, False]
    assert any("connection" in s.lower() for s in shown)  # the transport error text is kept, minus secrets
    everything = "\n".join(shown) + caplog.text
    assert "webhook/send?key=***" in caplog.text  # urllib3 did log the URL, masked
    for secret in (KEY, TOKEN, SECRET, FS_TOKEN):
        assert secret not in everything
