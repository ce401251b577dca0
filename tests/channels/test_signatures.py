"""Known vectors, computed independently with `openssl dgst -sha256 -hmac`."""
from urllib.parse import parse_qs, urlsplit

from integrations.channels.dingtalk import DingTalkChannel, dingtalk_sign
from integrations.channels.feishu import FeishuChannel, feishu_sign
from integrations.channels.secrets import Secret
from tests.channels.helpers import no_limit
from tests.fakes.samples import context

DING_SECRET, DING_TS = "SECc0ffee1234567890abcdef", 1775000000000
DING_B64 = "xAtBVXNWjl2haS7s+3brTYT3d+VQL8bfBO/NSL27dQY="
FEISHU_SECRET, FEISHU_TS = "feishu-secret-1", 1775000000
FEISHU_B64 = "4/v/8t+ShN70crFP7yZIrDHWBqfFWYSG7luD7iJMkYM="


def test_dingtalk_sign_known_vector_is_url_encoded_once():
    assert dingtalk_sign(DING_SECRET, DING_TS) == "xAtBVXNWjl2haS7s%2B3brTYT3d%2BVQL8bfBO%2FNSL27dQY%3D"


def test_dingtalk_url_carries_timestamp_ms_and_sign_decoding_to_the_digest():
    ch = DingTalkChannel("d", Secret("tok/en+1"), Secret(DING_SECRET), limiter=no_limit(),
                         wallclock=lambda: DING_TS / 1000)
    url = ch.url()
    assert "%25" not in url  # nothing encoded twice
    query = parse_qs(urlsplit(url).query)
    assert query == {"access_token": ["tok/en+1"], "timestamp": [str(DING_TS)], "sign": [DING_B64]}


def test_feishu_sign_known_vector_and_body_fields():
    assert feishu_sign(FEISHU_SECRET, FEISHU_TS) == FEISHU_B64
    ch = FeishuChannel("f", Secret("tok"), Secret(FEISHU_SECRET), limiter=no_limit(), wallclock=lambda: FEISHU_TS + 0.9)
    [msg] = ch.prepare("urge", context("urge"))
    payload = ch.payload(msg)
    assert (payload["timestamp"], payload["sign"], payload["msg_type"]) == (str(FEISHU_TS), FEISHU_B64, "post")
