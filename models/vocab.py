"""Controlled vocabularies. Values are the Chinese words stored in the
database and shown to users, so ledgers round-trip without translation."""
from enum import StrEnum


class SourceKind(StrEnum):
    AUDIT = "审计"
    FLYING_INSPECTION = "飞行检查"
    CAMPAIGN = "专项治理"
    PARTY_INSPECTION = "巡察"
    SELF_INSPECTION = "自查自纠"
    ROUTINE_AUDIT = "日常稽核"
    SMART_MONITORING = "智能监控"
    COMPLAINT = "投诉举报"


class UnitKind(StrEnum):
    DEPARTMENT = "行政部门"
    AGENCY = "医保经办机构"
    HOSPITAL = "定点医疗机构"
    PHARMACY = "定点零售药店"
    OTHER = "其他"


class Role(StrEnum):
    COORDINATOR = "整改办"
    UNIT_STAFF = "单位经办人"
    UNIT_HEAD = "单位负责人"
    REVIEWER = "牵头单位审核人"
    LEADER = "分管领导"
    DISCIPLINE = "纪检监察"


class RectificationType(StrEnum):
    IMMEDIATE = "立行立改"
    PHASED = "分阶段整改"
    CONTINUOUS = "持续整改"


class RecoveryKind(StrEnum):
    RECOVERED = "追回/退回基金"
    FINE = "罚款"
    LIQUIDATED_DAMAGES = "违约金"
    RETURNED_TO_CHANNEL = "归还原渠道"
    ADJUSTED = "调账"


class ExtensionStatus(StrEnum):
    PENDING = "待审批"
    APPROVED = "已批准"
    REJECTED = "未批准"


def parse_choice(enum_cls, value: str, field_label: str):
    """Map user text to an enum member, with a Chinese error listing the choices."""
    from models.errors import ValidationError

    text = (value or "").strip()
    if text in enum_cls._value2member_map_:  # the common case, without a scan (bulk imports)
        return enum_cls(text)
    for member in enum_cls:
        if text in (member.value, member.name.lower()):
            return member
    choices = "、".join(m.value for m in enum_cls)
    raise ValidationError(f"{field_label}“{value}”无效，可选：{choices}")


class Status(StrEnum):
    """The sign-off chain: each status names the step the finding is waiting on."""

    PENDING = "待整改"
    IN_PROGRESS = "整改中"
    PARTIAL = "部分整改"
    SUBMITTED = "申请销号"  # waiting for the unit head's commitment (承诺)
    LEAD_REVIEW = "牵头单位审核"
    COORDINATOR_REVIEW = "整改办复核"
    LEADER_APPROVAL = "领导审批"
    CLOSED = "已销号"


OPEN_WORK_STATUSES = (Status.PENDING, Status.IN_PROGRESS, Status.PARTIAL)
REVIEW_STATUSES = (Status.SUBMITTED, Status.LEAD_REVIEW, Status.COORDINATOR_REVIEW, Status.LEADER_APPROVAL)


class Outcome(StrEnum):
    """The audit offices' three-way wording used in reports; 部分整改 counts as 正在整改."""

    CLOSED = "已整改"
    IN_PROGRESS = "正在整改"
    NOT_STARTED = "未整改"


def outcome(status: Status) -> Outcome:
    if status == Status.CLOSED:
        return Outcome.CLOSED
    if status == Status.PENDING:
        return Outcome.NOT_STARTED
    return Outcome.IN_PROGRESS
