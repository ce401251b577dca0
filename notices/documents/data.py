"""Plain data the documents are built from.

A query layer fills these from the database at a given `now`; the builders
never touch the database. Consistency is checked here, where the data
enters: a report whose figures do not add up is refused with a Chinese
message before any file is written.

Definitions used by every document (see docs/documents.md):
- a finding is "due" (应销号) when it is closed or its deadline has passed;
- 按期销号率 = closed on or before the deadline / due;
- 逾期率 = (closed late + open past the deadline) / due;
- 未整改资金 of a finding = its 问题资金 minus what was put back into the fund
  (追回/退回, 归还原渠道, 调账), never below zero; fines and 违约金 are
  penalties on top and do not reduce it;
- 追回率 = (问题资金 − 未整改资金) / 问题资金.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from models.errors import RectifyError
from models.money import format_money, to_money
from models.vocab import Outcome, RecoveryKind, RectificationType

ZERO = Decimal("0.00")


# Kinds that put the problem money itself right; the others are penalties.
FUND_RESTORING = (RecoveryKind.RECOVERED, RecoveryKind.RETURNED_TO_CHANNEL, RecoveryKind.ADJUSTED)


class SignOffStep(StrEnum):
    """The four boxes of the 整改销号审批表, in chain order."""

    UNIT_HEAD = "责任单位意见"
    LEAD_UNIT = "牵头单位审核意见"
    COORDINATOR = "整改办复核意见"
    LEADER = "领导审批意见"


def _fail(message: str):
    raise RectifyError(message)


def _require(value: str, what: str) -> None:
    if not value or not value.strip():
        _fail(f"{what}不能为空")


def _money_map(values: Mapping, owner: str) -> dict[RecoveryKind, Decimal]:
    result: dict[RecoveryKind, Decimal] = {}
    for kind, amount in values.items():
        try:
            kind = RecoveryKind(kind)
        except ValueError:
            _fail(f"{owner}：整改金额类型“{kind}”无效，应为{'、'.join(RecoveryKind)}之一")
        money = to_money(amount)
        if money < 0:
            _fail(f"{owner}：{kind}金额 {format_money(money)} 元不能为负数")
        result[kind] = result.get(kind, ZERO) + money
    return result


@dataclass(frozen=True)
class Issuer:
    """Who sends the documents: comes from the coordinating office's configuration."""

    name: str  # 发文机关全称, e.g. XX县医疗保障局
    doc_prefix: str  # 机关代字, e.g. X医保发
    addressee: str  # default 主送机关 of reports, e.g. 县人民政府
    signature: str = ""  # 落款 when it differs from `name`, e.g. 整改工作领导小组办公室
    letterhead: str = ""  # 发文机关标志; default "<name>文件"
    discipline_body: str = "县纪委监委"  # 问责移送函 goes here

    def __post_init__(self):
        _require(self.name, "发文机关名称")
        _require(self.doc_prefix, "发文机关代字")
        _require(self.addressee, "主送机关")
        if any(c in self.doc_prefix for c in "〔〕[]［］"):
            _fail(f"发文机关代字“{self.doc_prefix}”不应包含括号，年份和序号由系统加上")

    @property
    def signed_by(self) -> str:
        return self.signature or self.name

    @property
    def letterhead_text(self) -> str:
        return self.letterhead or f"{self.name}文件"


@dataclass(frozen=True)
class DocHeader:
    """The per-document part of the 版头 and 落款."""

    issuer: Issuer
    serial: int  # 序号 of the document number
    issued_on: date  # 成文日期
    addressee: str = ""  # overrides issuer.addressee
    signer: str = ""  # 签发人, shown on reports sent up the chain (上行文)

    def __post_init__(self):
        if self.serial < 1:
            _fail(f"发文序号 {self.serial} 无效，应为正整数")

    @property
    def doc_number(self) -> str:
        return f"{self.issuer.doc_prefix}〔{self.issued_on.year}〕{self.serial}号"

    @property
    def to(self) -> str:
        return self.addressee or self.issuer.addressee


@dataclass(frozen=True)
class SourceRef:
    """问题来源: the audit or inspection the findings come from."""

    kind: str  # 审计 / 飞行检查 / 专项治理 / ...
    issuing_body: str  # e.g. XX县审计局
    title: str  # e.g. 关于XX县新型农村合作医疗基金的专项审计调查报告
    doc_number: str = ""  # e.g. X审报〔2026〕12号
    issued_on: date | None = None


@dataclass(frozen=True)
class FindingRow:
    """One finding as the documents show it (one ledger row)."""

    number: str  # 编号
    category: str  # 问题类别
    summary: str  # 问题摘要
    lead_unit: str  # 牵头（责任）单位
    rectification_type: RectificationType
    deadline: date  # effective 整改时限 (after approved extensions)
    outcome: Outcome
    description: str = ""  # 具体描述
    amount: Decimal = ZERO  # 涉及金额 (问题资金), yuan
    rectified: Mapping[RecoveryKind, Decimal] = field(default_factory=dict)  # 已整改金额 by kind
    co_units: tuple[str, ...] = ()
    closed_on: date | None = None  # 销号日期
    status: str = ""  # ledger status shown in the appendix; default the outcome
    measures: tuple[str, ...] = ()  # 整改措施, rendered 一是…二是…
    result: str = ""  # 整改结果 / 进展
    evidence: tuple[str, ...] = ()  # 佐证材料
    remark: str = ""  # 备注
    reason: str = ""  # why it is not done yet (三、尚未整改到位的问题及原因)
    plan: str = ""  # what happens next for it
    planned_on: date | None = None  # new completion date
    source: str = ""  # 问题来源 with 文号
    legal_basis: str = ""  # 定性依据

    def __post_init__(self):
        owner = f"问题{self.number}"
        _require(self.number, "问题编号")
        _require(self.summary, f"{owner}的问题摘要")
        _require(self.lead_unit, f"{owner}的责任单位")
        object.__setattr__(self, "outcome", _enum(Outcome, self.outcome, f"{owner}的整改状态"))
        object.__setattr__(
            self, "rectification_type",
            _enum(RectificationType, self.rectification_type, f"{owner}的整改类型"))
        amount = to_money(self.amount)
        if amount < 0:
            _fail(f"{owner}：涉及金额 {format_money(amount)} 元不能为负数")
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "rectified", _money_map(self.rectified, owner))
        if (self.outcome is Outcome.CLOSED) != (self.closed_on is not None):
            _fail(f"{owner}：状态为“{self.outcome}”，销号日期"
                  f"{'不能为空' if self.closed_on is None else '应为空'}")

    @property
    def rectified_total(self) -> Decimal:
        return sum(self.rectified.values(), ZERO)

    @property
    def restored(self) -> Decimal:
        return sum((self.rectified.get(k, ZERO) for k in FUND_RESTORING), ZERO)

    @property
    def unrectified(self) -> Decimal:
        return max(ZERO, self.amount - self.restored)

    @property
    def status_text(self) -> str:
        return self.status or str(self.outcome)

    def is_due(self, as_of: date) -> bool:
        return self.closed_on is not None or self.deadline < as_of

    def closed_on_time(self) -> bool:
        return self.closed_on is not None and self.closed_on <= self.deadline

    def days_overdue(self, as_of: date) -> int:
        """Natural days past the deadline, what a reader counts on a calendar."""
        end = self.closed_on or as_of
        return max(0, (end - self.deadline).days)


def _enum(enum_type, value, what):
    try:
        return enum_type(value)
    except ValueError:
        _fail(f"{what}“{value}”无效，应为{'、'.join(enum_type)}之一")


@dataclass(frozen=True)
class HeadlineFigures:
    """一、总体情况: figures computed by the query layer (in SQL), checked here."""

    total: int
    by_outcome: Mapping[Outcome, int]
    due: int  # 应销号
    closed_on_time: int  # 按期销号
    by_type: Mapping[RectificationType, int]
    problem_amount: Decimal  # 问题资金
    rectified_by_kind: Mapping[RecoveryKind, Decimal]  # 整改到位资金 by kind
    rectified_amount: Decimal  # 整改到位资金
    unrectified_amount: Decimal  # 未整改资金

    def __post_init__(self):
        by_outcome = {o: int(self.by_outcome.get(o, 0)) for o in Outcome}
        extra = set(self.by_outcome) - set(Outcome)
        if extra:
            _fail(f"总体情况：未知的整改状态 {'、'.join(map(str, extra))}")
        object.__setattr__(self, "by_outcome", by_outcome)
        by_type = {t: int(self.by_type.get(t, 0)) for t in RectificationType}
        object.__setattr__(self, "by_type", by_type)
        object.__setattr__(self, "rectified_by_kind", _money_map(self.rectified_by_kind, "总体情况"))
        for name in ("problem_amount", "rectified_amount", "unrectified_amount"):
            object.__setattr__(self, name, to_money(getattr(self, name)))

        parts = "、".join(f"{o}{n}个" for o, n in by_outcome.items())
        if sum(by_outcome.values()) != self.total:
            _fail(f"总体情况数据不一致：{parts}，合计{sum(by_outcome.values())}个，"
                  f"与问题总数{self.total}个不符")
        if sum(by_type.values()) != self.total:
            _fail(f"总体情况数据不一致：按整改类型合计{sum(by_type.values())}个，"
                  f"与问题总数{self.total}个不符")
        if not (0 <= self.closed_on_time <= by_outcome[Outcome.CLOSED] <= self.due <= self.total):
            _fail(f"总体情况数据不一致：按期销号{self.closed_on_time}个、已整改"
                  f"{by_outcome[Outcome.CLOSED]}个、应销号{self.due}个、问题总数{self.total}个，"
                  f"应依次不大于后者")
        kinds_sum = sum(self.rectified_by_kind.values(), ZERO)
        if kinds_sum != self.rectified_amount:
            detail = "、".join(f"{k}{format_money(v)}元" for k, v in self.rectified_by_kind.items())
            _fail(f"整改到位资金数据不一致：{detail or '各类金额'}合计{format_money(kinds_sum)}元，"
                  f"与整改到位资金{format_money(self.rectified_amount)}元不符")
        if not ZERO <= self.unrectified_amount <= self.problem_amount:
            _fail(f"未整改资金{format_money(self.unrectified_amount)}元应在0至问题资金"
                  f"{format_money(self.problem_amount)}元之间")

    @property
    def recovery_rate(self) -> Decimal | None:
        if not self.problem_amount:
            return None
        return (self.problem_amount - self.unrectified_amount) / self.problem_amount


def summarise(findings: Iterable[FindingRow], as_of: date) -> HeadlineFigures:
    """The headline figures of `findings` at `as_of` (for callers without SQL aggregates)."""
    findings = list(findings)
    by_kind: dict[RecoveryKind, Decimal] = {}
    for f in findings:
        for kind, amount in f.rectified.items():
            by_kind[kind] = by_kind.get(kind, ZERO) + amount
    return HeadlineFigures(
        total=len(findings),
        by_outcome=Counter(f.outcome for f in findings),
        due=sum(f.is_due(as_of) for f in findings),
        closed_on_time=sum(f.closed_on_time() for f in findings),
        by_type=Counter(f.rectification_type for f in findings),
        problem_amount=sum((f.amount for f in findings), ZERO),
        rectified_by_kind=by_kind,
        rectified_amount=sum((f.rectified_total for f in findings), ZERO),
        unrectified_amount=sum((f.unrectified for f in findings), ZERO),
    )


@dataclass(frozen=True)
class UnitStats:
    """One responsible unit's row of the league table and the progress chart."""

    unit: str
    total: int
    closed_on_time: int
    closed_late: int
    in_progress: int  # open, deadline not passed
    overdue: int  # open, deadline passed

    def __post_init__(self):
        counts = (self.closed_on_time, self.closed_late, self.in_progress, self.overdue)
        if min(counts) < 0 or sum(counts) != self.total:
            _fail(f"单位“{self.unit}”统计不一致：按期销号{self.closed_on_time}、逾期销号"
                  f"{self.closed_late}、正在整改{self.in_progress}、逾期未销号{self.overdue}，"
                  f"合计{sum(counts)}，与问题总数{self.total}不符")

    @property
    def closed(self) -> int:
        return self.closed_on_time + self.closed_late

    @property
    def due(self) -> int:
        return self.closed + self.overdue

    @property
    def on_time_rate(self) -> Decimal | None:
        return Decimal(self.closed_on_time) / self.due if self.due else None

    @property
    def overdue_rate(self) -> Decimal | None:
        return Decimal(self.closed_late + self.overdue) / self.due if self.due else None


def unit_stats(findings: Iterable[FindingRow], as_of: date) -> tuple[UnitStats, ...]:
    """Per lead unit, in order of first appearance."""
    counts: dict[str, list[int]] = {}
    for f in findings:
        row = counts.setdefault(f.lead_unit, [0, 0, 0, 0])
        if f.closed_on is not None:
            row[0 if f.closed_on_time() else 1] += 1
        else:
            row[3 if f.deadline < as_of else 2] += 1
    return tuple(UnitStats(unit, sum(c), *c) for unit, c in counts.items())


@dataclass(frozen=True)
class Enforcement:
    """Escalations, accountability and the penalty track, for 一、总体情况."""

    interviews: int = 0  # 约谈
    circulars: int = 0  # 通报
    referrals: int = 0  # 问责移送
    # None: not recorded by the bot (the discipline body decides who is held accountable),
    # so the report leaves the figure out instead of printing 0.
    people_held_accountable: int | None = 0
    rules_made: int | None = 0  # 建章立制
    penalty_decisions: int = 0  # 行政处罚决定
    penalties_decided: Decimal = ZERO
    penalties_collected: Decimal = ZERO

    def __post_init__(self):
        for name in ("penalties_decided", "penalties_collected"):
            object.__setattr__(self, name, to_money(getattr(self, name)))
        if self.penalties_collected > self.penalties_decided:
            _fail(f"罚没款已收缴{format_money(self.penalties_collected)}元，"
                  f"超过决定金额{format_money(self.penalties_decided)}元")


def _check_unique(findings: Iterable[FindingRow], where: str) -> None:
    seen: set[str] = set()
    for f in findings:
        if f.number in seen:
            _fail(f"{where}中问题{f.number}出现了不止一次")
        seen.add(f.number)


DEFAULT_NEXT_STEPS = (
    "持续跟踪未完成事项。对正在整改的问题实行台账管理、挂图作战，逐项明确责任单位、责任人和完成时限，"
    "完成一项、销号一项，确保按期整改到位。",
    "建立健全长效机制。针对审计指出的问题举一反三，完善基金监管、内部控制和定点医药机构协议管理制度，"
    "从制度层面防止问题反弹回潮。",
    "强化督查问责。对整改不力、敷衍整改、虚假整改的单位和个人，按规定约谈、通报，情节严重的移送纪检监察机关严肃问责。",
)


@dataclass(frozen=True)
class ClosureReport:
    """整改情况报告 for one source, a period, or everything."""

    header: DocHeader
    title: str
    as_of: date  # 统计截止日期
    sources: tuple[SourceRef, ...]
    findings: tuple[FindingRow, ...]  # every finding in scope, each once: the appendix
    figures: HeadlineFigures
    units: tuple[UnitStats, ...]
    enforcement: Enforcement = Enforcement()
    organisation: tuple[str, ...] = ()  # how the work was organised (paragraphs)
    next_steps: tuple[str, ...] = DEFAULT_NEXT_STEPS
    period: tuple[date, date] | None = None
    chart: bool = True  # progress by unit as a picture; as a table when False or no CJK font

    def __post_init__(self):
        _require(self.title, "报告标题")
        _check_unique(self.findings, "整改销号汇总表")
        actual = summarise(self.findings, self.as_of)
        fig = self.figures
        checks = (
            ("问题总数", fig.total, actual.total, "个"),
            *((f"{o}问题数", fig.by_outcome[o], actual.by_outcome[o], "个") for o in Outcome),
            ("应销号问题数", fig.due, actual.due, "个"),
            ("按期销号问题数", fig.closed_on_time, actual.closed_on_time, "个"),
            *((f"{t}问题数", fig.by_type[t], actual.by_type[t], "个") for t in RectificationType),
            ("问题资金", fig.problem_amount, actual.problem_amount, "元"),
            *((f"整改到位资金（{k}）", fig.rectified_by_kind.get(k, ZERO),
               actual.rectified_by_kind.get(k, ZERO), "元") for k in RecoveryKind),
            ("未整改资金", fig.unrectified_amount, actual.unrectified_amount, "元"),
        )
        for what, stated, listed, unit in checks:
            if stated != listed:
                show = format_money if unit == "元" else str
                _fail(f"报告数据不一致：总体情况中{what}为{show(stated)}{unit}，"
                      f"汇总表合计为{show(listed)}{unit}")
        unit_total = sum(u.total for u in self.units)
        if unit_total != fig.total:
            _fail(f"报告数据不一致：各单位问题数合计{unit_total}个，与问题总数{fig.total}个不符")
        if len({u.unit for u in self.units}) != len(self.units):
            _fail("报告数据不一致：单位统计中有重复的单位")


@dataclass(frozen=True)
class SignOffEvent:
    """A recorded sign-off step; the latest one per step fills its box."""

    step: SignOffStep
    signer: str
    opinion: str
    at: datetime


@dataclass(frozen=True)
class SignOffForm:
    """整改销号审批表 for one finding."""

    finding: FindingRow
    events: tuple[SignOffEvent, ...]
    form_number: str = ""  # 审批表编号
    issuer: Issuer | None = None  # 填报 / 制表 office shown under the title

    def __post_init__(self):
        latest = self.boxes
        steps = list(SignOffStep)
        filled = [s for s in steps if s in latest]
        if filled != steps[:len(filled)]:
            missing = next(s for s in steps if s not in latest)
            _fail(f"问题{self.finding.number}的销号审批记录不完整：缺少“{missing}”，"
                  f"却已有“{filled[-1]}”")
        times = [latest[s].at for s in filled]
        for before, after, t0, t1 in zip(filled, filled[1:], times, times[1:]):
            if t1 < t0:
                _fail(f"问题{self.finding.number}的销号审批记录顺序有误：“{after}”"
                      f"（{t1:%Y-%m-%d %H:%M}）早于“{before}”（{t0:%Y-%m-%d %H:%M}）")

    @property
    def boxes(self) -> dict[SignOffStep, SignOffEvent]:
        latest: dict[SignOffStep, SignOffEvent] = {}
        for event in sorted(self.events, key=lambda e: e.at):
            latest[SignOffStep(event.step)] = event
        return latest


@dataclass(frozen=True)
class OverdueItem:
    finding: FindingRow
    days_overdue: int


class _ListsOpenFindings:
    """A notice about a unit's findings that are still open (督办通知单, 约谈通知书)."""

    kind: ClassVar[str]
    findings: tuple[FindingRow, ...]
    as_of: date

    def _check_findings(self) -> None:
        if not self.findings:
            _fail(f"{self.kind}至少需要列出一个问题")
        _check_unique(self.findings, self.kind)
        for f in self.findings:
            if f.outcome is Outcome.CLOSED:
                _fail(f"{self.kind}：问题{f.number}已销号，不应列入")

    @property
    def items(self) -> tuple[OverdueItem, ...]:
        return tuple(OverdueItem(f, f.days_overdue(self.as_of)) for f in self.findings)


@dataclass(frozen=True)
class SupervisionNotice(_ListsOpenFindings):
    """督办通知单 to one unit."""

    kind: ClassVar[str] = "督办通知单"

    header: DocHeader
    unit: str
    findings: tuple[FindingRow, ...]
    as_of: date
    reply_by: date  # 整改完成并报送的期限
    level: str = "督办"  # e.g. 催办 / 黄牌督办 / 橙牌督办
    demands: tuple[str, ...] = ()
    contact: str = ""  # 联系人及电话

    def __post_init__(self):
        self._check_findings()
        if self.reply_by <= self.as_of:
            _fail(f"督办通知单的报送期限{self.reply_by:%Y-%m-%d}应晚于统计日期{self.as_of:%Y-%m-%d}")


@dataclass(frozen=True)
class InterviewNotice(_ListsOpenFindings):
    """约谈通知书 to a unit's head."""

    kind: ClassVar[str] = "约谈通知书"

    header: DocHeader
    unit: str
    interviewee: str  # e.g. 张某某（县新农合办公室主任）
    interviewers: str  # e.g. 县医保基金审计整改工作领导小组副组长李某某
    at: datetime
    place: str
    findings: tuple[FindingRow, ...]
    as_of: date
    bring: tuple[str, ...] = ()  # materials to bring
    attendees: str = ""  # who else must attend
    contact: str = ""

    def __post_init__(self):
        _require(self.interviewee, "被约谈人")
        _require(self.place, "约谈地点")
        self._check_findings()
        if self.at.date() < self.header.issued_on:
            _fail(f"约谈时间{self.at:%Y-%m-%d %H:%M}早于发文日期{self.header.issued_on:%Y-%m-%d}")


@dataclass(frozen=True)
class NamedUnit:
    """A unit criticised in a 通报, with its overdue or falsely closed findings."""

    unit: str
    findings: tuple[FindingRow, ...]
    reason: str = "逾期未完成整改"  # or 虚假整改, 敷衍整改…


@dataclass(frozen=True)
class Commendation:
    """A unit commended in a 通报 for finishing early."""

    unit: str
    findings: tuple[FindingRow, ...]

    def __post_init__(self):
        for f in self.findings:
            if f.closed_on is None or f.closed_on > f.deadline:
                _fail(f"通报表扬“{self.unit}”：问题{f.number}未按期销号，不能作为表扬事项")


@dataclass(frozen=True)
class Circular:
    """通报: progress, commendations and criticism."""

    header: DocHeader
    title: str
    as_of: date
    overview: tuple[str, ...]  # 总体进展 paragraphs
    commended: tuple[Commendation, ...] = ()
    criticised: tuple[NamedUnit, ...] = ()
    requirements: tuple[str, ...] = ()  # 工作要求
    league: tuple[UnitStats, ...] = ()  # attached as 附件 when given

    def __post_init__(self):
        _require(self.title, "通报标题")
        if not self.commended and not self.criticised:
            _fail("通报中既无表扬单位也无通报批评单位")
        for named in self.criticised:
            _check_unique(named.findings, f"通报批评“{named.unit}”")
            for f in named.findings:
                if named.reason.startswith("逾期") and not f.days_overdue(self.as_of):
                    _fail(f"通报批评“{named.unit}”：问题{f.number}未逾期，不能以“{named.reason}”通报")


@dataclass(frozen=True)
class HistoryEvent:
    """One step of the reminder and escalation history of a finding."""

    at: datetime
    finding_number: str
    action: str  # 提醒 / 催办 / 督办 / 约谈 / 通报 / 退回补充 / 延期…
    by: str  # who did it
    detail: str = ""


@dataclass(frozen=True)
class Referral:
    """问责移送函 to the discipline body."""

    header: DocHeader
    unit: str
    responsible: str  # 单位主要负责人 / 责任人, e.g. 张某某（县新农合办公室主任）
    findings: tuple[FindingRow, ...]
    history: tuple[HistoryEvent, ...]
    as_of: date
    grounds: str = "逾期未整改，经催办、督办、约谈、通报后仍未整改到位"
    enclosures: tuple[str, ...] = ()  # 随函移送的材料

    def __post_init__(self):
        if not self.findings:
            _fail("问责移送函至少需要列出一个问题")
        _check_unique(self.findings, "问责移送函")
        if not self.history:
            _fail("问责移送函须附该问题的督促整改记录，记录为空")
        numbers = {f.number for f in self.findings}
        for event in self.history:
            if event.finding_number not in numbers:
                _fail(f"督促整改记录（{event.at:%Y-%m-%d} {event.action}）所涉问题"
                      f"{event.finding_number}不在移送问题之列")

    @property
    def timeline(self) -> tuple[HistoryEvent, ...]:
        return tuple(sorted(self.history, key=lambda e: (e.at, e.finding_number)))


@dataclass(frozen=True)
class LeagueTable:
    """各单位整改销号情况排名 for assessment (考核)."""

    title: str
    as_of: date
    units: tuple[UnitStats, ...]
    compiled_by: str  # 制表单位
    compiled_on: date

    def __post_init__(self):
        if not self.units:
            _fail("排名表没有任何单位")
        if len({u.unit for u in self.units}) != len(self.units):
            _fail("排名表中有重复的单位")
