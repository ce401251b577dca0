"""The penalty track (《医疗保障基金使用监督管理条例》, 2021): decisions on an
audited institution or person, checked against the legal range of the
article, and the money collected against the money decided.

The ranges are data (models/penalty_ranges.toml): multiples of the fund's
loss (art. 37, 38, 40, 41), fixed yuan (art. 39) or months of suspension.
Bounds are inclusive; a multiple of the loss is rounded inward to the fen,
so a decision printed to the fen is never outside the law.
"""
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import NaiveDatetime
from sqlalchemy import Column, func
from sqlmodel import Field, Session, SQLModel, select

from models.errors import ValidationError
from models.escalation import record_event, require_decider
from models.ledger import Finding, Unit
from models.lifecycle import Actor
from models.money import FEN, Fen, format_money, to_money
from models.vocab import parse_choice

RANGES_RESOURCE = "penalty_ranges.toml"
INDIVIDUALS_ARTICLE = 41  # the only article whose party is a person, not a registered unit


class Measure(StrEnum):
    CORRECT = "责令改正"
    INTERVIEW = "约谈"
    REFUND = "责令退回"
    FINE = "罚款"
    SUSPEND = "暂停服务"
    TERMINATE = "解除协议"


class PenaltyAction(StrEnum):
    DECISION = "处理决定"
    COLLECTION = "收缴到账"


class PenaltyDecision(SQLModel, table=True):
    __tablename__ = "penalty_decision"

    id: int | None = Field(default=None, primary_key=True)
    party: str = Field(max_length=200)  # the institution (a unit's name) or, under art. 41, the person
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    finding_id: int | None = Field(default=None, foreign_key="finding.id", index=True)
    article: int
    measure: str = Field(max_length=10)  # Measure
    amount: Decimal | None = Field(default=None, sa_column=Column(Fen))  # 责令退回 / 罚款, yuan
    loss: Decimal | None = Field(default=None, sa_column=Column(Fen))  # 基金损失金额, base of the multiples
    months: int | None = None  # 暂停服务
    decided_on: date
    doc_number: str | None = Field(default=None, max_length=100)  # 处理决定书文号
    note: str | None = None
    recorded_by_id: int = Field(foreign_key="person.id")
    recorded_at: NaiveDatetime


class PenaltyCollection(SQLModel, table=True):
    __tablename__ = "penalty_collection"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="penalty_decision.id", index=True)
    amount: Decimal = Field(sa_column=Column(Fen, nullable=False))
    on_date: date
    note: str | None = None
    recorded_by_id: int = Field(foreign_key="person.id")
    recorded_at: NaiveDatetime


# ---------------------------------------------------------------- legal ranges

@dataclass(frozen=True)
class Bound:
    kind: str  # multiple (of the loss), yuan, months
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class ArticleRule:
    article: int
    title: str
    measures: dict[Measure, Bound | None]


@dataclass(frozen=True)
class LegalRange:
    article: int
    measure: Measure
    low: Decimal  # yuan, or months
    high: Decimal
    unit: str  # 元 or 个月
    basis: str | None = None  # how the range was derived, e.g. 基金损失金额 71,100.00 元的 1–2 倍

    def contains(self, value) -> bool:
        return self.low <= value <= self.high

    def describe(self) -> str:
        show = format_money if self.unit == "元" else str
        text = show(self.low) if self.low == self.high else f"{show(self.low)}–{show(self.high)}"
        text += f" {self.unit}"
        return f"{text}（{self.basis}）" if self.basis else text


def _decimal(value, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(f"处理幅度文件 {where} 的“{value}”不是数字") from None


def parse_rules(text: str, label: str) -> dict[int, ArticleRule]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"处理幅度文件 {label} 格式错误：{exc}") from None
    rules = {}
    for key, spec in data.get("articles", {}).items():
        where = f"{label} [articles.{key}]"
        if not key.isdigit():
            raise ValidationError(f"处理幅度文件 {where}：条款号应为数字")
        measures: dict[Measure, Bound | None] = {}
        for name, bound in spec.items():
            if name == "title":
                continue
            measure = parse_choice(Measure, name, f"处理幅度文件 {where} 的措施")
            kinds = [k for k in ("multiple", "yuan", "months") if k in bound]
            if len(bound) > 1 or (bound and not kinds):
                raise ValidationError(f"处理幅度文件 {where} “{name}”应写作 {{}}、{{ multiple = [下限, 上限] }}、"
                                      f"{{ yuan = [下限, 上限] }} 或 {{ months = [下限, 上限] }}")
            if kinds:
                low, high = (_decimal(v, f"{where} {name}") for v in bound[kinds[0]])
                if low > high or low < 0:
                    raise ValidationError(f"处理幅度文件 {where} “{name}”的下限须不大于上限且不为负")
                measures[measure] = Bound(kinds[0], low, high)
            else:
                measures[measure] = None
        rules[int(key)] = ArticleRule(int(key), spec.get("title", ""), measures)
    return rules


@lru_cache(maxsize=1)
def builtin_rules() -> dict[int, ArticleRule]:
    text = resources.files("models").joinpath(RANGES_RESOURCE).read_text(encoding="utf-8")
    return parse_rules(text, "（内置）")


def load_rules(path: Path | None = None) -> dict[int, ArticleRule]:
    """The built-in ranges, or a province's discretion table when a file is given."""
    if path is None:
        return builtin_rules()
    try:
        return parse_rules(Path(path).read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        raise ValidationError(f"处理幅度文件 {path} 不存在（配置项 [penalties] ranges_file）") from None


def article_rule(article: int, rules: dict[int, ArticleRule]) -> ArticleRule:
    rule = rules.get(article)
    if rule is None:
        known = "、".join(str(a) for a in sorted(rules))
        raise ValidationError(f"条例第{article}条未收录处理措施及幅度（已收录：第{known}条；可在处理幅度文件中补充）")
    return rule


def _multiple_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def legal_range(article: int, measure: Measure, loss: Decimal | None = None,
                rules: dict[int, ArticleRule] | None = None) -> LegalRange | None:
    """The inclusive legal range of `measure` under `article`; None when it has no amount or period."""
    rule = article_rule(article, rules or builtin_rules())
    if measure not in rule.measures:
        allowed = "、".join(rule.measures)
        raise ValidationError(f"条例第{article}条（{rule.title}）不适用“{measure}”，可采取：{allowed}")
    bound = rule.measures[measure]
    if bound is None:
        return None
    if bound.kind == "months":
        return LegalRange(article, measure, bound.low, bound.high, "个月")
    if bound.kind == "yuan":
        return LegalRange(article, measure, to_money(bound.low), to_money(bound.high), "元")
    multiples = f"{_multiple_text(bound.low)}–{_multiple_text(bound.high)} 倍"
    if loss is None or loss <= 0:
        raise ValidationError(f"按条例第{article}条{measure}须填写基金损失金额（--loss），"
                              f"法定幅度为损失金额的 {multiples}")
    low = (loss * bound.low).quantize(FEN, rounding=ROUND_CEILING)
    high = (loss * bound.high).quantize(FEN, rounding=ROUND_FLOOR)
    basis = f"基金损失金额 {format_money(loss)} 元的 {multiples}"
    if bound.low == bound.high:
        basis = f"应为基金损失金额 {format_money(loss)} 元的 {_multiple_text(bound.low)} 倍"
    return LegalRange(article, measure, low, high, "元", basis)


# ---------------------------------------------------------------- recording

def record_decision(
    session: Session, *, party: str, article: int, measure: str, actor: Actor, now: datetime, decided_on: date,
    amount=None, loss=None, months: int | None = None, finding: Finding | None = None,
    doc_number: str | None = None, note: str | None = None, rules: dict[int, ArticleRule] | None = None,
) -> PenaltyDecision:
    """Record one measure of a decision, refusing anything outside the article's legal range."""
    require_decider(actor, "登记处理决定")
    measure = parse_choice(Measure, measure, "处理措施")
    party = (party or "").strip()
    if not party:
        raise ValidationError("处理对象不能为空")
    unit = session.exec(select(Unit).where(Unit.name == party)).first()
    if unit is None and article != INDIVIDUALS_ARTICLE:
        raise ValidationError(f"被处理单位“{party}”不存在（第{INDIVIDUALS_ARTICLE}条以外的处理对象须为已登记的单位，"
                              f"rectify unit add 新增）")
    if decided_on > now.date():
        raise ValidationError(f"决定日期 {decided_on} 不能晚于今天（{now.date()}）")
    amount = to_money(amount) if amount not in (None, "") else None
    loss = to_money(loss) if loss not in (None, "") else None
    if loss is None and finding is not None:
        loss = finding.amount_involved
    if loss is not None and loss <= 0:
        raise ValidationError(f"基金损失金额必须大于 0（收到：{loss}）")
    allowed = legal_range(article, measure, loss, rules)
    if allowed is None:
        if amount is not None or months is not None:
            raise ValidationError(f"“{measure}”不涉及金额或期限，请勿填写 --amount / --months")
    elif allowed.unit == "元":
        if months is not None:
            raise ValidationError(f"“{measure}”不涉及期限，请勿填写 --months")
        if amount is None:
            raise ValidationError(f"“{measure}”须填写金额（--amount），法定幅度：{allowed.describe()}")
        if not allowed.contains(amount):
            raise ValidationError(f"{measure} {format_money(amount)} 元超出条例第{article}条的法定幅度："
                                  f"{allowed.describe()}")
    else:
        if amount is not None:
            raise ValidationError(f"“{measure}”不涉及金额，请勿填写 --amount")
        if months is None:
            raise ValidationError(f"“{measure}”须填写期限（--months），法定幅度：{allowed.describe()}")
        if not allowed.contains(months):
            raise ValidationError(f"{measure} {months} 个月超出条例第{article}条的法定幅度：{allowed.describe()}")
    decision = PenaltyDecision(
        party=party, unit_id=unit.id if unit else None, finding_id=finding.id if finding else None,
        article=article, measure=measure, amount=amount, loss=loss, months=months, decided_on=decided_on,
        doc_number=(doc_number or "").strip() or None, note=note, recorded_by_id=actor.person.id, recorded_at=now,
    )
    session.add(decision)
    session.flush()
    if finding is not None:
        record_event(session, finding.id, finding.status, actor, now, PenaltyAction.DECISION, describe(decision),
                     {"penalty_decision_id": decision.id, "article": article, "measure": str(measure),
                      "amount": str(amount) if amount is not None else None, "months": months})
    return decision


def describe(decision: PenaltyDecision) -> str:
    text = f"依据条例第{decision.article}条，{decision.measure}"
    if decision.amount is not None:
        text += f" {format_money(decision.amount)} 元"
    if decision.months is not None:
        text += f" {decision.months} 个月"
    return text + (f"（{decision.doc_number}）" if decision.doc_number else "")


def collected_total(session: Session, decision_id: int) -> Decimal:
    total = session.exec(select(func.sum(PenaltyCollection.amount))
                         .where(PenaltyCollection.decision_id == decision_id)).one()
    return total if total is not None else to_money(0)


def record_collection(session: Session, decision_id: int, amount, on_date: date, actor: Actor, now: datetime,
                      note: str | None = None) -> PenaltyCollection:
    require_decider(actor, "登记收缴")
    decision = session.get(PenaltyDecision, decision_id)
    if decision is None:
        raise ValidationError(f"找不到编号为 {decision_id} 的处理决定")
    if decision.amount is None:
        raise ValidationError(f"处理决定 {decision_id}（{decision.measure}）不涉及金额，无需登记收缴")
    amount = to_money(amount)
    if amount <= 0:
        raise ValidationError(f"收缴金额必须大于 0（收到：{amount}）")
    done = collected_total(session, decision.id)
    outstanding = decision.amount - done
    if amount > outstanding:
        raise ValidationError(f"本次收缴 {format_money(amount)} 元超过未缴金额 {format_money(outstanding)} 元"
                              f"（决定金额 {format_money(decision.amount)} 元，已缴 {format_money(done)} 元）")
    if on_date > now.date():
        raise ValidationError(f"到账日期 {on_date} 不能晚于今天（{now.date()}）")
    collection = PenaltyCollection(decision_id=decision.id, amount=amount, on_date=on_date, note=note,
                                   recorded_by_id=actor.person.id, recorded_at=now)
    session.add(collection)
    session.flush()
    if decision.finding_id is not None:
        finding = session.get(Finding, decision.finding_id)
        record_event(session, finding.id, finding.status, actor, now, PenaltyAction.COLLECTION,
                     f"{decision.measure}到账 {format_money(amount)} 元",
                     {"penalty_decision_id": decision.id, "amount": str(amount), "on_date": on_date.isoformat()})
    return collection


@dataclass(frozen=True)
class DecisionRow:
    decision: PenaltyDecision
    finding_number: str | None
    collected: Decimal

    @property
    def outstanding(self) -> Decimal | None:
        return None if self.decision.amount is None else self.decision.amount - self.collected


def list_decisions(session: Session, party: str | None = None) -> list[DecisionRow]:
    """Decisions with what was collected on each (one grouped query, not one per decision)."""
    sums = (select(PenaltyCollection.decision_id, func.sum(PenaltyCollection.amount).label("collected"))
            .group_by(PenaltyCollection.decision_id).subquery())
    query = (select(PenaltyDecision, Finding.number, sums.c.collected)
             .outerjoin(Finding, Finding.id == PenaltyDecision.finding_id)
             .outerjoin(sums, sums.c.decision_id == PenaltyDecision.id)
             .order_by(PenaltyDecision.decided_on, PenaltyDecision.id))
    if party:
        query = query.where(PenaltyDecision.party == party.strip())
    return [DecisionRow(decision, number, collected if collected is not None else to_money(0))
            for decision, number, collected in session.exec(query)]
