"""Pytest fixtures for the fake vendors.

Every fake runs on 127.0.0.1 on a free port, is stopped after the test,
and takes a `clock` (the `fake_clock` fixture by default, so tests can
run a minute of traffic instantly; pass `clock=RealClock()` for wall
time) and a `faults=Faults(rate=…, seed=…)` (tests.fakes.server) for
deterministic failures; `server.faults.queue("500", "timeout")` forces
the next ones. `server.deliveries` is what reached the group or mailbox.

    def test_x(fake_wecom):                 # ready-made, key "wecom-key-1"
    def test_y(make_fake):                  # or build one:
        srv = make_fake("dingtalk", robots={"t": None}, faults=Faults(rate=0.3, seed=7))
"""
from __future__ import annotations

import pytest

from .clock import FakeClock
from .dingtalk import FakeDingTalk
from .feishu import FakeFeishu
from .mailapi import FakeMailApi
from .smtp import FakeSmtp, make_certificate
from .wecom import FakeWeCom

FAKES = {"wecom": FakeWeCom, "dingtalk": FakeDingTalk, "feishu": FakeFeishu, "mailapi": FakeMailApi}


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_fake(fake_clock):
    started = []

    def make(vendor: str, **kwargs):
        kwargs.setdefault("clock", fake_clock)
        server = FAKES[vendor](**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def fake_wecom(make_fake) -> FakeWeCom:
    return make_fake("wecom")


@pytest.fixture
def fake_dingtalk(make_fake) -> FakeDingTalk:
    return make_fake("dingtalk")


@pytest.fixture
def fake_feishu(make_fake) -> FakeFeishu:
    return make_fake("feishu")


@pytest.fixture
def fake_mail_api(make_fake) -> FakeMailApi:
    return make_fake("mailapi")


@pytest.fixture(scope="session")
def smtp_cert(tmp_path_factory):
    """(cert, key) of a self-signed certificate for 127.0.0.1; the cert doubles as the CA file."""
    return make_certificate(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture
def make_smtp():
    started = []

    def make(**kwargs) -> FakeSmtp:
        server = FakeSmtp(**kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()
