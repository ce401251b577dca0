"""The history is tamper-evident: editing or deleting an event in the
database is caught by `rectify history verify`."""
from sqlalchemy import text

from models.db import transaction
from models.history import events_of, verify_all
from models.lifecycle import report_progress, start
from tests.factories import build_world


def make_history(engine, now):
    with transaction(engine) as session:
        world = build_world(session, now)
        finding = world.finding()
        other = world.finding("2-4")
        start(session, finding, world.actor("李干事"), now)
        report_progress(session, finding, world.actor("李干事"), now, "已追回 5,000 元")
        return finding.id, other.id


def test_untouched_history_verifies(engine, now):
    make_history(engine, now)
    with transaction(engine) as session:
        checked, breaks = verify_all(session)
    assert (checked, breaks) == (4, [])


def test_edited_comment_is_detected(engine, now):
    finding_id, other_id = make_history(engine, now)
    with engine.begin() as connection:
        connection.execute(text("UPDATE finding_event SET comment = '已追回 9,381 元' WHERE finding_id = :f AND seq = 3"),
                           {"f": finding_id})
    with transaction(engine) as session:
        _, breaks = verify_all(session)
    assert [(b.finding_id, b.seq) for b in breaks] == [(finding_id, 3)]
    assert "被改动" in breaks[0].problem


def test_deleted_event_is_detected(engine, now):
    finding_id, _ = make_history(engine, now)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM finding_event WHERE finding_id = :f AND seq = 2"), {"f": finding_id})
    with transaction(engine) as session:
        _, breaks = verify_all(session)
    assert [(b.finding_id, b.seq) for b in breaks] == [(finding_id, 2)]
    assert "删除" in breaks[0].problem


def test_rehashed_forgery_still_breaks_the_chain(engine, now):
    """Recomputing one event's own hash after editing it does not help: the next event points at the old hash."""
    finding_id, _ = make_history(engine, now)
    with transaction(engine) as session:
        events = events_of(session, finding_id)
        forged = events[1]
        forged.actor_name = "赵主任"
        from models.history import _digest

        forged.hash = _digest(forged)
        session.add(forged)
    with transaction(engine) as session:
        _, breaks = verify_all(session)
    assert [(b.finding_id, b.seq) for b in breaks] == [(finding_id, 3)]
