"""A dispatcher in a process of its own, for the crash test (the test kills it):

    python -m tests.dispatch.worker DATABASE_URL WECOM_BASE_URL NOW
"""
import sys
from datetime import datetime

from integrations.channels.registry import build_channels
from integrations.dispatch import dispatch
from models.db import make_engine


def main(url: str, wecom_url: str, now: str) -> None:
    registry = build_channels({"wjw": {"type": "wecom", "key": "env:WECOM_KEY", "base_url": wecom_url}},
                              env={"WECOM_KEY": "wecom-key-1"})
    dispatch(make_engine(url), datetime.fromisoformat(now), registry, worker_id="doomed", batch=5)


if __name__ == "__main__":
    main(*sys.argv[1:])
