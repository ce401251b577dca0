"""Coordinators correct or reassign a registered finding; every change is
recorded with its old and new value, and a new deadline restarts the
escalation ladder."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from models.corrections import Correction, correct_finding
from models.db import transaction
from models.deadlines import DeadlineKind, DeadlineRule
from models.errors import InvalidTransition, PermissionDenied, ValidationError
from models.history import events_of, verify_chain
from models.ledger import FindingCoUnit
from models.lifecycle import add_evidence, start, submit
from tests.factories import build_world


@pytest.fixture
def world(engine, now):
    with transaction(engine) as session:
        yield build_world(session, now)


def test_reassignment_is_recorded_field_by_field(world):
    finding = world.finding(co_units=("县财政局",))
    event = correct_finding(world.session, finding, world.actor("王主任"), world.now, Correction(
        lead_unit="县财政局", co_units=["县新农合办公室"], responsible_person="钱会计",
        amount_involved=Decimal("12000.00"), reason="职责调整，由财政部门牵头"), world.calendar)
    assert finding.lead_unit_id == world.units["县财政局"].id
    assert finding.responsible_person_id == world.people["钱会计"].id
    co_units = world.session.exec(select(FindingCoUnit.unit_id).where(FindingCoUnit.finding_id == finding.id)).all()
    assert co_units == [world.units["县新农合办公室"].id]
    assert event.comment == "职责调整，由财政部门牵头"
    assert event.data["changes"] == {
        "涉及金额": ["9381.00", "12000.00"], "牵头单位": ["县新农合办公室", "县财政局"],
        "责任人": ["李干事", "钱会计"], "配合单位": ["县财政局", "县新农合办公室"],
    }
    assert verify_chain(events_of(world.session, finding.id)) is None


def test_new_deadline_starts_a_new_cycle(world):
    finding = world.finding()
    rule = DeadlineRule(DeadlineKind.WORKING, 10, date(2025, 9, 25))
    correct_finding(world.session, finding, world.actor("王主任"), world.now, Correction(rule=rule, reason="按决定书更正"),
                    world.calendar)
    assert (finding.deadline, finding.deadline_kind, finding.cycle) == (date(2025, 10, 15), "working", 2)


def test_nothing_to_change_records_nothing(world):
    finding = world.finding()
    before = len(events_of(world.session, finding.id))
    assert correct_finding(world.session, finding, world.actor("王主任"), world.now,
                           Correction(lead_unit="县新农合办公室", reason="核对"), world.calendar) is None
    assert len(events_of(world.session, finding.id)) == before


def test_only_coordinators_correct_and_only_open_findings(world):
    finding = world.finding()
    with pytest.raises(PermissionDenied):
        correct_finding(world.session, finding, world.actor("李干事"), world.now, Correction(summary="x", reason="y"),
                        world.calendar)
    with pytest.raises(ValidationError, match="更正理由"):
        correct_finding(world.session, finding, world.actor("王主任"), world.now, Correction(summary="x"), world.calendar)
    with pytest.raises(ValidationError, match="尚未登记"):
        correct_finding(world.session, finding, world.actor("王主任"), world.now,
                        Correction(lead_unit="县民政局", reason="调整"), world.calendar)
    start(world.session, finding, world.actor("李干事"), world.now)
    add_evidence(world.session, finding, world.actor("李干事"), world.now, None, reference="凭证")
    submit(world.session, finding, world.actor("李干事"), world.now + timedelta(hours=1), "措施", "结果")
    with pytest.raises(InvalidTransition, match="审核中的请先退回补充"):
        correct_finding(world.session, finding, world.actor("王主任"), world.now, Correction(summary="x", reason="y"),
                        world.calendar)
    assert finding.summary.startswith("问题2-3")
