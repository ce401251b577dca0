import socket
import threading

import pytest

from integrations.channels.base import classify
from integrations.channels.secrets import Secret
from integrations.channels.wecom import WeComChannel
from tests.channels.helpers import FAST_TIMEOUT, no_limit
from tests.fakes.samples import context


@pytest.mark.parametrize("status, code, outcome, rate_limited", [
    (200, 0, "sent", False),
    (202, None, "sent", False),
    (200, 45009, "retry", True),
    (200, 130101, "retry", True),
    (200, 11232, "retry", True),
    (429, None, "retry", True),
    (200, -1, "retry", False),
    (500, None, "retry", False),
    (503, 0, "retry", False),          # a 5xx is not a success whatever the body says
    (200, 93000, "dead", False),
    (200, 310000, "dead", False),
    (200, 300001, "dead", False),
    (200, 19021, "dead", False),
    (400, 9499, "dead", False),
    (200, 40008, "dead", False),
    (200, 45002, "dead", False),
    (200, 44004, "dead", False),
    (200, 40007, "dead", False),
    (500, 93000, "dead", False),       # a permanent vendor code wins over the status
    (200, 12345, "dead", False),       # unknown codes: alert a person rather than retry for ever
    (401, None, "dead", False),
])
def test_classification_reads_status_and_vendor_code(status, code, outcome, rate_limited):
    result = classify("x", http_status=status, errcode=code)
    assert (result.outcome, result.rate_limited) == (outcome, rate_limited)
    assert result.retryable == (outcome == "retry")


def test_connection_dropped_after_the_request_went_out_is_uncertain():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    received = []

    def swallow_and_hang_up():
        conn, _ = listener.accept()
        received.append(conn.recv(65536))
        conn.close()

    thread = threading.Thread(target=swallow_and_hang_up, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    ch = WeComChannel("w", Secret("drop-key-1"), base_url=f"http://127.0.0.1:{port}", limiter=no_limit(),
                      timeout=FAST_TIMEOUT)
    result = ch.send(ch.prepare("urge", context("urge"))[0])
    thread.join(5)
    listener.close()
    assert received and received[0].startswith(b"POST /cgi-bin/webhook/send")
    assert (result.outcome, result.uncertain, result.retryable) == ("uncertain", True, False)
