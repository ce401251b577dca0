"""The ledger tables (整改台账): sources, units, people, findings and what
hangs off a finding (co-units, milestones, amounts rectified, evidence,
extension requests). The history lives in models/history.py."""
from datetime import date
from decimal import Decimal

from pydantic import NaiveDatetime

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.money import Fen
from models.vocab import ExtensionStatus, Status


class Source(SQLModel, table=True):
    """Where findings come from: one audit report, inspection, campaign…"""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)  # SourceKind
    title: str = Field(max_length=300, unique=True)
    doc_number: str | None = Field(default=None, max_length=100)  # 文号, e.g. 云审报〔2021〕22号
    issuer: str | None = Field(default=None, max_length=200)
    issued_on: date | None = None
    advice: str | None = None  # 审计建议 kept with the source, not as findings
    created_at: NaiveDatetime


class Unit(SQLModel, table=True):
    """A responsible unit, or an audited party (两定机构, 经办机构)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20)  # UnitKind
    parent_id: int | None = Field(default=None, foreign_key="unit.id")  # supervising unit
    email: str | None = Field(default=None, max_length=200)
    # Names of webhooks in the channel config, never the secrets themselves.
    wecom_robot: str | None = Field(default=None, max_length=100)
    dingtalk_robot: str | None = Field(default=None, max_length=100)
    feishu_robot: str | None = Field(default=None, max_length=100)
    created_at: NaiveDatetime


class Person(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("unit_id", "name", name="uq_person_unit_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    unit_id: int = Field(foreign_key="unit.id")
    role: str = Field(max_length=20)  # Role
    mobile: str | None = Field(default=None, max_length=30)
    wecom_userid: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=200)
    active: bool = True


class Category(SQLModel, table=True):
    """问题类别: seeded from models/categories.py, extensible by coordinators."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    article: int | None = None  # article of the 2021 regulation
    builtin: bool = True


class Finding(SQLModel, table=True):
    """One row of the ledger: one finding, tracked to sign-off (一问题一台账)."""

    __table_args__ = (
        UniqueConstraint("source_id", "number", name="uq_finding_source_number"),
        Index("ix_finding_status_deadline", "status", "deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    number: str = Field(max_length=50)  # 编号 within the source
    category_id: int = Field(foreign_key="category.id")
    summary: str = Field(max_length=500)
    description: str | None = None
    amount_involved: Decimal | None = Field(default=None, sa_column=Column(Fen))  # 问题资金
    legal_basis: str | None = None  # 定性依据
    directive: str | None = None  # 整改要求 / 处理决定
    rectification_type: str = Field(max_length=20)  # RectificationType
    audited_unit_id: int | None = Field(default=None, foreign_key="unit.id")
    lead_unit_id: int = Field(foreign_key="unit.id", index=True)
    responsible_leader_id: int | None = Field(default=None, foreign_key="person.id")
    responsible_person_id: int | None = Field(default=None, foreign_key="person.id")
    measures: str | None = None  # 整改措施
    result: str | None = None  # 整改结果
    progress: str | None = None  # latest 整改进展; every note is also an event
    # The deadline and the rule that produced it (kind, n, anchor), so it can
    # be recomputed and explained; see models/deadlines.py.
    deadline: date
    deadline_kind: str = Field(max_length=10)
    deadline_days: int | None = None
    deadline_anchor: date | None = None
    status: str = Field(default=Status.PENDING, max_length=20)
    # Escalation cycle: bumped when an extension is granted or the finding is
    # reopened, so the reminder ladder starts again from the new deadline.
    cycle: int = 1
    submitted_by_id: int | None = Field(default=None, foreign_key="person.id")  # current sign-off request
    shortfall_reason: str | None = None  # why closing with less money rectified than involved is accepted
    closed_on: date | None = None
    remarks: str | None = None
    created_at: NaiveDatetime
    updated_at: NaiveDatetime


class FindingCoUnit(SQLModel, table=True):
    __tablename__ = "finding_co_unit"

    finding_id: int = Field(foreign_key="finding.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class Milestone(SQLModel, table=True):
    """阶段节点 of a phased or continuous rectification."""

    __table_args__ = (UniqueConstraint("finding_id", "seq", name="uq_milestone_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    seq: int
    title: str = Field(max_length=300)
    due_on: date
    done_on: date | None = None


class Recovery(SQLModel, table=True):
    """Money rectified, by where it goes (条例第45条): fund, treasury, agreement…"""

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    kind: str = Field(max_length=20)  # RecoveryKind
    amount: Decimal = Field(sa_column=Column(Fen, nullable=False))
    on_date: date
    note: str | None = None
    recorded_by_id: int = Field(foreign_key="person.id")
    recorded_at: NaiveDatetime


class Evidence(SQLModel, table=True):
    """佐证材料: a stored file (content-addressed by SHA-256) or a reference."""

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    name: str = Field(max_length=300)
    sha256: str | None = Field(default=None, max_length=64)
    stored_path: str | None = None  # relative to the data folder
    reference: str | None = None  # e.g. 档案号 or a document number, when no file is kept
    added_by_id: int = Field(foreign_key="person.id")
    added_at: NaiveDatetime


class ExtensionRequest(SQLModel, table=True):
    """延期申请 and its decision."""

    __tablename__ = "extension_request"

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    requested_by_id: int = Field(foreign_key="person.id")
    requested_at: NaiveDatetime
    old_deadline: date
    new_deadline: date
    reason: str
    status: str = Field(default=ExtensionStatus.PENDING, max_length=10)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: NaiveDatetime | None = None
    decision_comment: str | None = None
