"""The escalation policy (督办阶梯) as data.

A ladder is a list of steps: reminders before the deadline, then 催办, 督办,
约谈, 通报 and 问责移送 once it has passed. Each step has a threshold (days
before or after the deadline, natural or working days), the people it goes
to, the notice kind (= template name) and, for formal acts, the record it
creates. The default ladder ships as models/escalation_policy.toml; a
coordinator overrides it in the file named by `[policy] file`, globally
([default]) or for one source, category or lead unit.

Only the step due *now* matters: the latest step (in ladder order) whose
threshold has been reached. A step is reached when the deadline is on or
before a cutoff date computed from today, so the sweep can select due
findings with plain date comparisons in SQL (see Ladder.cutoffs).
"""
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import NoReturn

from sqlalchemy import and_, not_, or_, true
from sqlmodel import Session, select

from models.calendar import WorkCalendar
from models.errors import ValidationError
from models.escalation import Escalation
from models.ledger import Category, Finding, Source, Unit
from models.lifecycle import pending_extension
from models.vocab import OPEN_WORK_STATUSES, REVIEW_STATUSES, Status

DEFAULT_POLICY_RESOURCE = "escalation_policy.toml"
BUILTIN_LABEL = "（内置默认规则）"


class Counting(StrEnum):
    NATURAL = "自然日"
    WORKING = "工作日"


class Audience(StrEnum):
    RESPONSIBLE = "责任人"  # the finding's responsible person (@mentioned in the lead unit's group)
    UNIT_HEAD = "单位负责人"  # the lead unit's head (第一责任人)
    LEAD_UNIT = "牵头单位"  # the lead unit's group or mailbox, nobody @mentioned
    COORDINATOR = "整改办"
    LEADER = "分管领导"


class Record(StrEnum):
    INTERVIEW = "约谈记录"
    CIRCULAR = "列入下一期通报"
    REFERRAL = "问责移送记录"


@dataclass(frozen=True)
class StepType:
    key: str  # the step's name in the policy file
    kind: str  # notice kind, i.e. the template name (notices/templates/<kind>.j2)
    label: str
    card: str  # 三色督办 colour
    record: Record | None


REMINDER = StepType("reminders", "reminder", "到期提醒", "蓝色", None)
OVERDUE_TYPES = (
    StepType("urge", "urge", "催办", "黄色", None),
    StepType("supervise", "supervise", "督办", "黄色", None),
    StepType("interview", "interview", "约谈", "橙色", Record.INTERVIEW),
    StepType("circular", "circular", "通报", "红色", Record.CIRCULAR),
    StepType("referral", "referral", "问责移送", "红色", Record.REFERRAL),
)
OVERDUE_BY_KEY = {t.key: t for t in OVERDUE_TYPES}


def step_type(step_id: str) -> StepType:
    """The type of a stored step id (remind_7 → reminder, urge → urge…)."""
    return REMINDER if step_id.startswith("remind_") else OVERDUE_BY_KEY[step_id]


def ladder_position(step: "Step") -> tuple[int, int]:
    """Sort key putting steps in ladder order: reminders far to near, then overdue steps."""
    return (0, -step.days) if step.before else (1, OVERDUE_TYPES.index(step.type))


def nth_workday_back(day: date, n: int, calendar: WorkCalendar) -> date:
    """The n-th working day counting back from `day`, `day` itself included."""
    found = 0
    while True:
        if calendar.is_workday(day):
            found += 1
            if found == n:
                return day
        day -= timedelta(days=1)


@dataclass(frozen=True)
class Step:
    id: str  # stored in escalation.step: remind_7, urge, supervise…
    type: StepType
    days: int
    before: bool  # True: N days before the deadline; False: N days overdue
    counting: Counting
    recipients: tuple[Audience, ...]
    demand: str  # what the notice asks for, one line per finding

    @property
    def kind(self) -> str:
        return self.type.kind

    @property
    def record(self) -> Record | None:
        return self.type.record

    @property
    def label(self) -> str:
        if self.before:
            unit = "天" if self.counting == Counting.NATURAL else "个工作日"
            return f"到期前{self.days}{unit}提醒"
        return self.type.label

    @property
    def threshold(self) -> str:
        unit = "个自然日" if self.counting == Counting.NATURAL else "个工作日"
        return f"到期前{self.days}{unit}" if self.before else f"逾期{self.days}{unit}"

    def cutoff(self, today: date, calendar: WorkCalendar) -> date:
        """The latest deadline for which this step is reached on `today`.

        Natural days: overdue by n ⇔ deadline ≤ today − n; n days before ⇔
        deadline ≤ today + n. Working days: overdue by n ⇔ at least n working
        days in (deadline, today]; n before ⇔ at most n in (today, deadline].
        """
        n = self.days
        if self.counting == Counting.NATURAL:
            return today + timedelta(days=n if self.before else -n)
        if self.before:
            return calendar.add_workdays(today, n + 1) - timedelta(days=1)
        return nth_workday_back(today, n, calendar) - timedelta(days=1)

    def reached_on(self, deadline: date, calendar: WorkCalendar) -> date:
        """The first day on which this step is reached for `deadline` (inverse of cutoff)."""
        n = self.days
        if self.counting == Counting.NATURAL:
            return deadline + timedelta(days=-n if self.before else n)
        if self.before:
            return nth_workday_back(deadline, n + 1, calendar)
        return calendar.add_workdays(deadline, n)


@dataclass(frozen=True)
class Ladder:
    steps: tuple[Step, ...]  # in ladder order: reminders (far to near), then overdue steps
    respond_within: int  # working days given to answer a notice

    def cutoffs(self, today: date, calendar: WorkCalendar) -> list[tuple[Step, date]]:
        return [(step, step.cutoff(today, calendar)) for step in self.steps]

    def step_at(self, deadline: date, today: date, calendar: WorkCalendar) -> Step | None:
        """The step due on `today`: the last one in ladder order that is reached.

        With mixed natural and working thresholds a step can be reached after
        a later one (a long holiday); it is then skipped, never sent late.
        """
        for step, cutoff in reversed(self.cutoffs(today, calendar)):
            if deadline <= cutoff:
                return step
        return None


class ScopeKind(StrEnum):
    UNIT = "unit"
    CATEGORY = "category"
    SOURCE = "source"


SCOPE_LABELS = {ScopeKind.UNIT: "单位", ScopeKind.CATEGORY: "问题类别", ScopeKind.SOURCE: "问题来源"}
PRECEDENCE = (ScopeKind.UNIT, ScopeKind.CATEGORY, ScopeKind.SOURCE)  # most specific first


@dataclass(frozen=True)
class Override:
    scope: ScopeKind
    name: str
    ladder: Ladder

    @property
    def label(self) -> str:
        return f"{SCOPE_LABELS[self.scope]}“{self.name}”的专门规则"

    @property
    def section(self) -> str:
        return f'[{self.scope}."{self.name}"]'


@dataclass(frozen=True)
class Policy:
    default: Ladder
    overrides: tuple[Override, ...]  # in precedence order: unit, category, source
    path: Path | None = None

    @property
    def origin(self) -> str:
        return f"内置默认规则 + 督办规则文件 {self.path}" if self.path else "内置默认规则"

    def resolve(self, session: Session) -> "ResolvedPolicy":
        """Bind each override to the row it names; an unknown name is an error, not a silent no-op."""
        ids = {}
        for override in self.overrides:
            ids[override] = _scope_id(session, override, self.path)
        return ResolvedPolicy(self, ids)


@dataclass(frozen=True)
class Variant:
    """One ladder and the findings it applies to, as an SQL condition."""

    label: str
    ladder: Ladder
    override: Override | None
    condition: object  # SQLAlchemy boolean expression on Finding


SCOPE_COLUMNS = {ScopeKind.UNIT: Finding.lead_unit_id, ScopeKind.CATEGORY: Finding.category_id,
                 ScopeKind.SOURCE: Finding.source_id}


class ResolvedPolicy:
    """A policy whose overrides are bound to ids: which ladder governs which finding.

    Precedence: an override for the lead unit beats one for the category,
    which beats one for the source; overrides are not combined.
    """

    def __init__(self, policy: Policy, ids: dict[Override, int]):
        self.policy = policy
        self.ids = ids

    def for_finding(self, finding: Finding) -> tuple[Override | None, Ladder]:
        values = {ScopeKind.UNIT: finding.lead_unit_id, ScopeKind.CATEGORY: finding.category_id,
                  ScopeKind.SOURCE: finding.source_id}
        for override in self.policy.overrides:
            if values[override.scope] == self.ids[override]:
                return override, override.ladder
        return None, self.policy.default

    def variants(self) -> list[Variant]:
        variants = []
        excluded = []  # conditions of the more specific overrides already placed
        for override in self.policy.overrides:
            column = SCOPE_COLUMNS[override.scope]
            mine = column == self.ids[override]
            variants.append(Variant(override.label, override.ladder, override, and_(mine, *[not_(c) for c in excluded])))
            excluded.append(mine)
        default_condition = and_(*[not_(c) for c in excluded]) if excluded else true()
        variants.append(Variant("默认规则", self.policy.default, None, default_condition))
        return variants


def _scope_id(session: Session, override: Override, path: Path | None) -> int:
    name = override.name
    if override.scope == ScopeKind.UNIT:
        row = session.exec(select(Unit.id).where(Unit.name == name)).first()
    elif override.scope == ScopeKind.CATEGORY:
        row = session.exec(select(Category.id).where(Category.name == name)).first()
    else:
        row = session.exec(select(Source.id).where(or_(Source.doc_number == name, Source.title == name))
                           .order_by(Source.id)).first()
    if row is None:
        raise ValidationError(
            f"督办规则文件 {path}：{override.section} 中的{SCOPE_LABELS[override.scope]}“{name}”不存在，"
            f"请核对名称（问题来源可写文号或标题）")
    return row


# ---------------------------------------------------------------- loading and validation

SECTION_KEYS = ("respond_within", "reminders", "steps")
REMINDER_KEYS = ("days", "count", "recipients", "demand")
STEP_KEYS = ("after", "count", "recipients", "demand", "enabled")
COUNT_ALIASES = {"自然日": Counting.NATURAL, "natural": Counting.NATURAL,
                 "工作日": Counting.WORKING, "working": Counting.WORKING}
AUDIENCE_ALIASES = {a.value: a for a in Audience} | {a.name.lower(): a for a in Audience}


@dataclass(frozen=True)
class _Where:
    """Where a value came from, for error messages that name the key."""

    file: str
    section: str = ""

    def fail(self, key: str, problem: str) -> NoReturn:
        place = f"{self.section} " if self.section else ""
        raise ValidationError(f"督办规则文件 {self.file}：{place}{key} {problem}")


def _positive_int(value, where: _Where, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        where.fail(key, f"应为正整数（收到：{value!r}）")
    return value


def _table(value, where: _Where, key: str, allowed: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        where.fail(key or "该部分", f"应为一个表，收到：{value!r}")
    for name in value:
        if name not in allowed:
            where.fail(f"{key}.{name}" if key else name, f"不是有效设置（可用：{'、'.join(allowed)}）")
    return value


def _check_common(data: dict, where: _Where, key: str) -> None:
    if "count" in data and data["count"] not in COUNT_ALIASES:
        where.fail(f"{key}.count", f"的值“{data['count']}”无效，可选：自然日、工作日")
    if "recipients" in data:
        recipients = data["recipients"]
        if not isinstance(recipients, list) or not recipients:
            where.fail(f"{key}.recipients", "应为非空列表，如 [\"责任人\", \"单位负责人\"]")
        for name in recipients:
            if name not in AUDIENCE_ALIASES:
                where.fail(f"{key}.recipients", f"中的“{name}”无效，可选：{'、'.join(a.value for a in Audience)}")
    if "demand" in data and (not isinstance(data["demand"], str) or not data["demand"].strip()):
        where.fail(f"{key}.demand", "应为非空文字")


def _check_section(data: dict, where: _Where) -> None:
    """Check the shape of one (possibly partial) ladder section before merging."""
    _table(data, where, "", SECTION_KEYS)
    if "respond_within" in data:
        _positive_int(data["respond_within"], where, "respond_within")
    if "reminders" in data:
        reminders = _table(data["reminders"], where, "reminders", REMINDER_KEYS)
        if "days" in reminders:
            days = reminders["days"]
            if not isinstance(days, list):
                where.fail("reminders.days", f"应为天数列表，如 [7, 3, 1]（收到：{days!r}）")
            for value in days:
                _positive_int(value, where, "reminders.days")
            if len(set(days)) != len(days):
                where.fail("reminders.days", f"有重复的天数：{days}")
        _check_common(reminders, where, "reminders")
    if "steps" in data:
        steps = _table(data["steps"], where, "steps", tuple(OVERDUE_BY_KEY))
        for name, step in steps.items():
            key = f"steps.{name}"
            _table(step, where, key, STEP_KEYS)
            if "after" in step:
                _positive_int(step["after"], where, f"{key}.after")
            if "enabled" in step and not isinstance(step["enabled"], bool):
                where.fail(f"{key}.enabled", "应为 true 或 false")
            _check_common(step, where, key)


def _merge(base: dict, patch: dict) -> dict:
    merged = dict(base)
    for key, value in patch.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def _recipients(values: list[str]) -> tuple[Audience, ...]:
    return tuple(dict.fromkeys(AUDIENCE_ALIASES[v] for v in values))


def _build_ladder(data: dict, where: _Where) -> Ladder:
    try:
        reminders = data["reminders"]
        steps = [
            Step(f"remind_{n}", REMINDER, n, True, COUNT_ALIASES[reminders["count"]],
                 _recipients(reminders["recipients"]), reminders["demand"].strip())
            for n in sorted(reminders["days"], reverse=True)
        ]
        for step_kind in OVERDUE_TYPES:
            spec = data["steps"][step_kind.key]
            if spec.get("enabled", True):
                steps.append(Step(step_kind.key, step_kind, spec["after"], False, COUNT_ALIASES[spec["count"]],
                                  _recipients(spec["recipients"]), spec["demand"].strip()))
        respond_within = data["respond_within"]
    except KeyError as exc:
        where.fail(str(exc.args[0]), "缺失（内置默认规则不完整）")
    _check_order([s for s in steps if not s.before], where)
    return Ladder(tuple(steps), respond_within)


def _check_order(overdue: list[Step], where: _Where) -> None:
    for counting in Counting:
        same = [s for s in overdue if s.counting == counting]
        for earlier, later in zip(same, same[1:]):
            if later.days <= earlier.days:
                where.fail(f"steps.{later.type.key}.after",
                           f"不合理：逾期阶梯须逐级递增，“{later.label}”（{later.threshold}）"
                           f"应晚于“{earlier.label}”（{earlier.threshold}）")


def _read_toml(text: str, label: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"督办规则文件 {label} 格式错误：{exc}") from None


def builtin_policy_data() -> dict:
    text = resources.files("models").joinpath(DEFAULT_POLICY_RESOURCE).read_text(encoding="utf-8")
    return _read_toml(text, BUILTIN_LABEL)


def load_policy(path: Path | None = None) -> Policy:
    """The built-in ladder, with the coordinator's override file applied when given."""
    base = builtin_policy_data()
    _check_section(base, _Where(BUILTIN_LABEL))
    if path is None:
        return Policy(_build_ladder(base, _Where(BUILTIN_LABEL)), ())
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"督办规则文件 {label} 不存在（配置项 [policy] file）") from None
    data = _read_toml(text, label)
    for key in data:
        if key not in ("default", *ScopeKind):
            _Where(label).fail(f"[{key}]", "不是有效的部分（可用：[default]、[source.\"文号或标题\"]、"
                                         "[category.\"问题类别\"]、[unit.\"单位名称\"]）")
    patch = data.get("default", {})
    where = _Where(label, "[default]")
    _check_section(_table(patch, where, "", SECTION_KEYS), where)
    base = _merge(base, patch)
    default = _build_ladder(base, where)
    overrides = []
    for scope in PRECEDENCE:
        sections = data.get(scope.value, {})
        if not isinstance(sections, dict):
            _Where(label).fail(f"[{scope.value}]", f"应写作 [{scope.value}.\"名称\"]")
        for name, section in sections.items():
            where = _Where(label, f'[{scope.value}."{name}"]')
            _check_section(_table(section, where, "", SECTION_KEYS), where)
            overrides.append(Override(scope, name, _build_ladder(_merge(base, section), where)))
    return Policy(default, tuple(overrides), Path(path))


def policy_from_settings(settings) -> Policy:
    return load_policy(settings.path_setting("policy", "file"))


# ---------------------------------------------------------------- explaining one finding

@dataclass(frozen=True)
class Explanation:
    lines: tuple[str, ...]
    step: Step | None  # the step due now, None when nothing is due or the finding is paused
    paused: str | None = None  # why the finding gets nothing (closed, under review, extension pending)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def explain(session: Session, finding: Finding, now: datetime, policy: Policy, calendar: WorkCalendar) -> Explanation:
    """Which step is due for `finding` at `now`, and why (or why nothing is)."""
    today = now.date()
    unit = session.get(Unit, finding.lead_unit_id)
    head = f"问题 {finding.number}（{finding.summary}），牵头单位：{unit.name}，整改时限：{_cn(finding.deadline)}"
    if finding.status == Status.CLOSED:
        closed = f"（{_cn(finding.closed_on)}）" if finding.closed_on else ""
        return _paused(head, f"已销号{closed}，不再提醒或督办。")
    if finding.status in REVIEW_STATUSES:
        return _paused(head, f"正在“{finding.status}”环节审核，审核期间暂停提醒和督办；退回补充后恢复。")
    request = pending_extension(session, finding.id)
    if request is not None:
        return _paused(head, f"有待审批的延期申请（申请延至{_cn(request.new_deadline)}），审批期间暂停提醒和督办；"
                             f"批准后按新期限重新起算，不予批准则按原期限继续。")
    if finding.status not in OPEN_WORK_STATUSES:
        return _paused(head, f"状态为“{finding.status}”，不在督办范围内。")

    override, ladder = policy.resolve(session).for_finding(finding)
    lines = [head]
    lines.append(f"督办轮次：第 {finding.cycle} 轮" + ("（已批准延期或重新打开，按新期限重新起算）" if finding.cycle > 1 else ""))
    if override:
        lines.append(f"适用规则：{override.label}（督办规则文件 {policy.path} 中的 {override.section}）")
    else:
        lines.append(f"适用规则：默认规则（{policy.origin}）")
    natural = (today - finding.deadline).days
    working = calendar.workdays_between(finding.deadline, today)
    if natural > 0:
        lines.append(f"截至{_cn(today)}：已逾期 {natural} 个自然日（{working} 个工作日）")
    else:
        lines.append(f"截至{_cn(today)}：距整改时限还有 {-natural} 个自然日（{-working} 个工作日）")
    step = ladder.step_at(finding.deadline, today, calendar)
    lines.append("各步骤：")
    for candidate in ladder.steps:
        reached = candidate.reached_on(finding.deadline, calendar)
        mark = "✓" if reached <= today else "·"
        record = f"，{candidate.record}" if candidate.record else ""
        lines.append(f"  {mark} {candidate.label}（{candidate.threshold}，{_cn(reached)}起{record}）")
    if step is None:
        lines.append("当前：尚未到任何提醒步骤，不发送通知。")
        return Explanation(tuple(lines), None)
    done = session.exec(select(Escalation.created_at).where(
        Escalation.finding_id == finding.id, Escalation.step == step.id, Escalation.cycle == finding.cycle)).first()
    state = f"本轮已于 {done:%Y-%m-%d %H:%M} 生成，不再重复" if done else "本轮尚未生成，下次督办扫描将生成"
    lines.append(f"当前应处于：{step.label}（{step.type.card}，{step.threshold}）——{state}。")
    skipped = [s.label for s in ladder.steps[:ladder.steps.index(step)]
               if not s.before and s.reached_on(finding.deadline, calendar) > today]
    if skipped:
        lines.append(f"说明：{'、'.join(skipped)}按工作日计算尚未达到，但后一步骤已达到，故直接进入{step.label}。")
    later = ladder.steps[ladder.steps.index(step) + 1:]
    upcoming = min(((s.reached_on(finding.deadline, calendar), s) for s in later
                    if s.reached_on(finding.deadline, calendar) > today), default=None, key=lambda p: p[0])
    if upcoming:
        lines.append(f"下一步：{upcoming[1].label}，将于{_cn(upcoming[0])}达到。")
    else:
        lines.append("下一步：已是最后一步。")
    return Explanation(tuple(lines), step)


def _paused(head: str, why: str) -> Explanation:
    return Explanation((head, why), None, why)


def describe_ladder(ladder: Ladder) -> list[str]:
    """Lines for `rectify policy show`: one step per line, its demand below."""
    lines = []
    for i, step in enumerate(ladder.steps, 1):
        record = f"；正式记录：{step.record}" if step.record else ""
        lines.append(f"  {i}. {step.label}（{step.type.card}）：{step.threshold} → {'、'.join(step.recipients)}；"
                     f"通知类别 {step.kind}{record}")
        lines.append(f"     要求：{step.demand}")
    lines.append(f"  通知回复期限：{ladder.respond_within} 个工作日")
    return lines
