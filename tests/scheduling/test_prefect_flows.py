"""The flows run in Prefect itself (a temporary Prefect API from the test
harness, started once for this module): the same flows the embedded
scheduler and the deployments run. Marked `prefect`; the rest of the suite
never starts a Prefect server."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from models.db import transaction
from models.outbox import Notice, NoticeStatus
from tests.factories import build_world

pytestmark = pytest.mark.prefect


@pytest.fixture(scope="module")
def harness():
    from prefect.settings import PREFECT_SERVER_EPHEMERAL_ENABLED, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with temporary_settings({PREFECT_SERVER_EPHEMERAL_ENABLED: True}), prefect_test_harness(server_startup_timeout=120):
        yield


def test_sweep_and_dispatch_flows_complete_in_prefect(harness, engine, tmp_path, monkeypatch):
    from flows.prefect_flows import daily_digest, dispatch, sweep

    start = datetime(2026, 4, 14, 9, 0)
    with transaction(engine) as session:
        world = build_world(session, start - timedelta(days=40))
        world.finding("2-4", days=30)
    (tmp_path / "rectify.toml").write_text('data_dir = "data"\n', encoding="utf-8")
    monkeypatch.setenv("RECTIFY_CONFIG", str(tmp_path / "rectify.toml"))
    monkeypatch.setenv("RECTIFY_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    state = sweep(now="2026-04-14 09:00", return_state=True)
    assert state.is_completed()
    assert any("约谈 1" in line for line in state.result())
    state = dispatch(now="2026-04-14 09:05", return_state=True)
    assert state.is_completed()
    with transaction(engine) as session:
        sent = session.execute(select(func.count()).select_from(Notice).where(Notice.status == NoticeStatus.SENT)).scalar()
    assert sent >= 1
    assert any("约谈" in p.read_text(encoding="utf-8") for p in (tmp_path / "data" / "outbox").iterdir())
    assert daily_digest(now="2026-04-14 17:30", return_state=True).is_completed()
    # a second sweep at the same moment, as a Prefect retry would do, creates nothing
    assert any("没有新的" in line for line in sweep(now="2026-04-14 09:00"))
