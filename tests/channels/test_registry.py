import pytest

from integrations.channels.dingtalk import DingTalkChannel
from integrations.channels.registry import build_channels, load_channels
from integrations.channels.smtp import SmtpChannel
from integrations.channels.wecom import WeComChannel
from models.errors import ValidationError
from tests.fakes.samples import context

WECOM_KEY = "registry-wecom-key-93e1"
DING_TOKEN, DING_SECRET = "registry-ding-token-5b2", "SECregistry-ding-secret-77f"


@pytest.fixture
def secrets_file(tmp_path):
    path = tmp_path / "secrets" / "rectify-secrets.toml"
    path.parent.mkdir()
    path.write_text(f'ding_token = "{DING_TOKEN}"\nding_secret = "{DING_SECRET}"\n', encoding="utf-8")
    return path


def config_text(secrets_path, wecom_url="https://qyapi.weixin.qq.com"):
    return f"""
[channels]
secrets_file = "{secrets_path}"
default = "wjw"

[channels.wjw]
type = "wecom"
key = "env:RECTIFY_TEST_WECOM_KEY"
base_url = "{wecom_url}"

[channels.cz]
type = "dingtalk"
token = "file:ding_token"
secret = "file:ding_secret"
msgtype = "text"

[channels.mail]
type = "smtp"
host = "smtp.example.gov.cn"
security = "starttls"
username = "zgb"
password = "env:RECTIFY_TEST_SMTP_PASSWORD"
sender = "zgb@example.gov.cn"

[channels.outbox]
type = "folder"
path = "out"
"""


def test_channels_built_from_config_env_and_secrets_file(tmp_path, secrets_file, fake_wecom):
    config = tmp_path / "rectify.toml"
    config.write_text(config_text(secrets_file, fake_wecom.url.replace("http://", "http://")), encoding="utf-8")
    env = {"RECTIFY_TEST_WECOM_KEY": "wecom-key-1", "RECTIFY_TEST_SMTP_PASSWORD": "pw-registry-1"}
    registry = load_channels(config, env=env)
    assert registry.names() == ["wjw", "cz", "mail", "outbox"]
    assert isinstance(registry.default, WeComChannel)
    cz = registry.get("cz")
    assert isinstance(cz, DingTalkChannel) and cz.fmt == "text" and cz.secret.reveal() == DING_SECRET
    assert isinstance(registry.get("mail"), SmtpChannel) and registry.get("mail").port == 587
    assert registry.get("outbox").folder == tmp_path / "out"
    # the configured WeCom channel really sends
    [msg] = registry.default.prepare("urge", context("urge"))
    assert registry.default.send(msg).ok and len(fake_wecom.deliveries) == 1


def test_nothing_secret_is_shown(tmp_path, secrets_file):
    env = {"RECTIFY_TEST_WECOM_KEY": WECOM_KEY, "RECTIFY_TEST_SMTP_PASSWORD": "pw-registry-2"}
    config = tmp_path / "rectify.toml"
    config.write_text(config_text(secrets_file), encoding="utf-8")
    shown = repr(load_channels(config, env=env)) + repr(load_channels(config, env=env).get("cz").__dict__)
    for secret in (WECOM_KEY, DING_TOKEN, DING_SECRET, "pw-registry-2"):
        assert secret not in shown
    assert "env:RECTIFY_TEST_WECOM_KEY" not in shown or "Secret(env:" in shown


def test_literal_credential_is_refused_without_echoing_it(tmp_path):
    with pytest.raises(ValidationError) as err:
        build_channels({"wjw": {"type": "wecom", "key": "literal-key-abc123"}}, env={})
    assert "不得在配置中直接写入密钥" in str(err.value) and "literal-key-abc123" not in str(err.value)


def test_secrets_file_inside_a_git_checkout_is_refused(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    inside = tmp_path / "repo" / "secrets.toml"
    inside.write_text('a = "b"\n')
    with pytest.raises(ValidationError, match="位于代码仓库内"):
        build_channels({"secrets_file": str(inside)}, env={})


@pytest.mark.parametrize("section, message", [
    ({"w": {"type": "wecom", "key": "env:NOPE"}}, "环境变量“NOPE”未设置"),
    ({"w": {"type": "wecom", "key": "file:x"}}, "未配置 secrets_file"),
    ({"w": {"type": "wechat"}}, "类型“wechat”无效"),
    ({"w": {"type": "wecom", "key": "env:K", "colour": "red"}}, "未知配置项：colour"),
    ({"w": {"type": "wecom"}}, "缺少配置项“key”"),
    ({"w": {"type": "smtp", "host": "h"}}, "缺少配置项“sender”"),
    ({"default": "x", "w": {"type": "folder"}}, "默认渠道“x”未配置"),
    ({"retries": 3}, "未知设置：retries"),
])
def test_configuration_mistakes_are_named(section, message):
    with pytest.raises(ValidationError, match=message):
        build_channels(section, env={"K": "v"})
