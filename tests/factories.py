"""Building realistic ledger data for tests through the domain functions
(no hand-made rows), so tests exercise the same rules users do."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session

from models.calendar import WorkCalendar
from models.deadlines import DeadlineKind, DeadlineRule
from models.ledger import Finding, Person, Source, Unit
from models.lifecycle import Actor, actor_for
from models.registration import Directory, FindingIn, register_finding
from models.sources import add_source
from models.units import add_person, add_unit
from models.vocab import RectificationType


@dataclass
class World:
    """A county medical-insurance bureau and the units of the sample audit."""

    session: Session
    now: datetime
    source: Source
    units: dict[str, Unit] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)

    def actor(self, name: str) -> Actor:
        return actor_for(self.session, self.people[name])

    def finding(self, number: str = "2-3", *, lead_unit: str = "县新农合办公室", co_units=("县财政局",),
                amount: str | None = "9381.00", days: int = 30, kind: DeadlineKind = DeadlineKind.NATURAL,
                anchor: date | None = None, category: str = "报销范围扩大", summary: str | None = None,
                responsible_person: str | None = "李干事", responsible_leader: str | None = "赵主任",
                rectification_type: RectificationType = RectificationType.PHASED) -> Finding:
        rule = (DeadlineRule(kind, days, anchor or self.now.date()) if kind != DeadlineKind.FIXED
                else DeadlineRule.fixed(anchor))
        data = FindingIn(
            number=number, summary=summary or f"问题{number}：一、二级医院用药范围扩大", category=category,
            lead_unit=lead_unit, rule=rule, co_units=list(co_units),
            amount_involved=Decimal(amount) if amount else None, rectification_type=rectification_type,
            responsible_person=responsible_person if lead_unit == "县新农合办公室" else None,
            responsible_leader=responsible_leader if lead_unit == "县新农合办公室" else None,
        )
        directory = Directory(self.session, self.now)
        return register_finding(self.session, directory, self.source, data, self.actor("王主任"), self.now,
                                self.calendar)


PEOPLE = (
    # name, unit, role, mobile
    ("王主任", "县医保局", "整改办", "13800000001"),
    ("周干部", "县医保局", "整改办", "13800000002"),
    ("刘局长", "县医保局", "分管领导", "13800000003"),
    ("李干事", "县新农合办公室", "单位经办人", "13800000004"),
    ("赵主任", "县新农合办公室", "单位负责人", "13800000005"),
    ("孙科长", "县新农合办公室", "牵头单位审核人", "13800000006"),
    ("钱会计", "县财政局", "单位经办人", "13800000007"),
    ("吴局长", "县财政局", "单位负责人", "13800000008"),
    ("郑院长", "县人民医院", "单位负责人", "13800000009"),
)


def build_world(session: Session, now: datetime) -> World:
    source = add_source(session, title="XX县新型农村合作医疗基金专项审计调查", kind="审计",
                        doc_number="X审调〔2026〕3号", issuer="XX县审计局", issued_on=date(2026, 2, 20), now=now)
    world = World(session=session, now=now, source=source)
    for name in ("县医保局", "县新农合办公室", "县财政局", "县人民医院"):
        world.units[name] = add_unit(session, name=name, kind=None, parent=None, email=None, wecom_robot=None,
                                     dingtalk_robot=None, feishu_robot=None, now=now)
    for name, unit, role, mobile in PEOPLE:
        world.people[name] = add_person(session, name=name, unit=unit, role=role, mobile=mobile)
    return world
