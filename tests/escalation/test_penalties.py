"""The penalty track: legal ranges from the amount, decisions refused outside
them (boundaries included), and money collected against money decided."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from models.errors import PermissionDenied, ValidationError
from models.history import events_of
from models.ledger import Finding
from models.penalties import Measure, legal_range, list_decisions, record_collection, record_decision

NOW = datetime(2026, 5, 10, 10, 0)
LOSS = Decimal("71100.00")  # 7.11万元, the hospital case of the domain brief


@pytest.mark.parametrize("article, measure, loss, text", [
    (38, Measure.FINE, LOSS, "71,100.00–142,200.00 元（基金损失金额 71,100.00 元的 1–2 倍）"),
    (40, Measure.FINE, LOSS, "142,200.00–355,500.00 元（基金损失金额 71,100.00 元的 2–5 倍）"),
    (37, Measure.FINE, Decimal("1000.01"), "2,000.02–5,000.05 元（基金损失金额 1,000.01 元的 2–5 倍）"),
    (39, Measure.FINE, None, "10,000.00–50,000.00 元"),
    (38, Measure.SUSPEND, None, "6–12 个月"),
    (40, Measure.SUSPEND, None, "6–12 个月"),
    (41, Measure.SUSPEND, None, "3–12 个月"),
    (41, Measure.FINE, Decimal("800"), "1,600.00–4,000.00 元（基金损失金额 800.00 元的 2–5 倍）"),
    (38, Measure.REFUND, LOSS, "71,100.00 元（应为基金损失金额 71,100.00 元的 1 倍）"),
])
def test_legal_range_from_the_amount(article, measure, loss, text):
    assert legal_range(article, measure, loss).describe() == text


def test_measures_without_amount_and_unknown_articles():
    assert legal_range(38, Measure.CORRECT) is None
    with pytest.raises(ValidationError) as excinfo:
        legal_range(38, Measure.TERMINATE)
    assert "条例第38条" in str(excinfo.value) and "不适用“解除协议”" in str(excinfo.value)
    assert "暂停服务" in str(excinfo.value)
    with pytest.raises(ValidationError) as excinfo:
        legal_range(44, Measure.FINE)
    assert "第44条未收录" in str(excinfo.value) and "36、37、38、39、40、41" in str(excinfo.value)
    with pytest.raises(ValidationError) as excinfo:
        legal_range(40, Measure.FINE, None)
    assert "--loss" in str(excinfo.value) and "2–5 倍" in str(excinfo.value)


def test_rounding_stays_inside_the_law():
    from models.penalties import parse_rules

    rules = parse_rules('[articles.38]\ntitle = "x"\n"罚款" = { multiple = ["1.5", "2.5"] }\n', "省裁量基准")
    allowed = legal_range(38, Measure.FINE, Decimal("0.03"), rules)
    # 1.5 × 0.03 = 0.045 rounds up, 2.5 × 0.03 = 0.075 rounds down: never a fen outside the multiples.
    assert (allowed.low, allowed.high) == (Decimal("0.05"), Decimal("0.07"))


def decide(ledger, **kwargs):
    kwargs.setdefault("party", "县人民医院")
    kwargs.setdefault("decided_on", date(2026, 5, 8))
    who = kwargs.pop("who", "王主任")
    with ledger.world(NOW) as w:
        finding = kwargs.pop("finding", None)
        if finding:
            kwargs["finding"] = w.session.exec(select(Finding).where(Finding.number == finding)).one()
        decision = record_decision(w.session, actor=w.actor(who), now=NOW, **kwargs)
        return decision.id


BOUNDARIES = [  # (decision, accepted)
    (dict(article=38, measure="罚款", amount="71100", loss=LOSS), True),
    (dict(article=38, measure="罚款", amount="142200", loss=LOSS), True),
    (dict(article=38, measure="罚款", amount="142200.01", loss=LOSS), False),
    (dict(article=38, measure="罚款", amount="71099.99", loss=LOSS), False),
    (dict(article=40, measure="罚款", amount="355500", loss=LOSS), True),
    (dict(article=40, measure="罚款", amount="355500.01", loss=LOSS), False),
    (dict(article=37, measure="罚款", amount="142199.99", loss=LOSS, party="县新农合办公室"), False),
    (dict(article=39, measure="罚款", amount="10000"), True),
    (dict(article=39, measure="罚款", amount="50000"), True),
    (dict(article=39, measure="罚款", amount="9999.99"), False),
    (dict(article=39, measure="罚款", amount="50000.01"), False),
    (dict(article=38, measure="暂停服务", months=6), True),
    (dict(article=38, measure="暂停服务", months=12), True),
    (dict(article=38, measure="暂停服务", months=5), False),
    (dict(article=40, measure="暂停服务", months=13), False),
    (dict(article=41, measure="暂停服务", months=3, party="张某某"), True),
    (dict(article=41, measure="暂停服务", months=2, party="张某某"), False),
]


def test_decisions_at_the_boundaries(ledger):
    for kwargs, accepted in BOUNDARIES:
        if accepted:
            assert decide(ledger, **kwargs), kwargs
            continue
        with pytest.raises(ValidationError) as excinfo:
            decide(ledger, **kwargs)
        message = str(excinfo.value)
        assert f"超出条例第{kwargs['article']}条的法定幅度" in message, message
        assert legal_range(kwargs["article"], Measure(kwargs["measure"]), kwargs.get("loss")).describe() in message
    with Session(ledger.engine) as session:
        assert len(list_decisions(session)) == sum(accepted for _, accepted in BOUNDARIES)


REFUSALS = [
    (dict(article=38, measure="解除协议"), ["不适用“解除协议”"]),
    (dict(article=38, measure="罚款", amount="80000"), ["须填写基金损失金额（--loss）"]),
    (dict(article=38, measure="罚款", loss=LOSS), ["须填写金额（--amount）", "71,100.00–142,200.00"]),
    (dict(article=38, measure="责令改正", amount="100"), ["不涉及金额或期限"]),
    (dict(article=38, measure="暂停服务"), ["须填写期限（--months）", "6–12 个月"]),
    (dict(article=38, measure="吊销", amount="1"), ["处理措施“吊销”无效", "责令改正"]),
    (dict(article=38, measure="约谈", party="不存在的医院"), ["被处理单位“不存在的医院”不存在"]),
    (dict(article=38, measure="约谈", decided_on=date(2026, 6, 1)), ["不能晚于今天"]),
]


def test_refusals_say_what_is_wrong(ledger):
    for kwargs, words in REFUSALS:
        with pytest.raises(ValidationError) as excinfo:
            decide(ledger, **kwargs)
        for word in words:
            assert word in str(excinfo.value), str(excinfo.value)


def test_only_the_office_and_leaders_decide(ledger):
    with pytest.raises(PermissionDenied) as excinfo:
        decide(ledger, article=38, measure="约谈", who="李干事")
    assert "仅限整改办、分管领导" in str(excinfo.value)


def test_collections_tracked_against_the_decision(ledger):
    ledger.add("2-3", date(2026, 4, 30), amount="71100")
    fine = decide(ledger, article=38, measure="罚款", amount="106650", finding="2-3")  # 1.5×, loss from the finding
    refund = decide(ledger, article=38, measure="责令退回", amount="71100", finding="2-3")
    talk = decide(ledger, article=38, measure="约谈", finding="2-3")
    with ledger.world(NOW) as w:
        record_collection(w.session, fine, "60000", date(2026, 5, 9), w.actor("王主任"), NOW, "缴款书 0001")
        record_collection(w.session, refund, "71100", date(2026, 5, 9), w.actor("王主任"), NOW)
        with pytest.raises(ValidationError) as excinfo:
            record_collection(w.session, fine, "46650.01", date(2026, 5, 9), w.actor("王主任"), NOW)
        assert "超过未缴金额 46,650.00 元" in str(excinfo.value) and "已缴 60,000.00 元" in str(excinfo.value)
        with pytest.raises(ValidationError) as excinfo:
            record_collection(w.session, talk, "1", date(2026, 5, 9), w.actor("王主任"), NOW)
        assert "不涉及金额" in str(excinfo.value)
        rows = {r.decision.id: r for r in list_decisions(w.session)}
        assert (rows[fine].collected, rows[fine].outstanding) == (Decimal("60000.00"), Decimal("46650.00"))
        assert (rows[refund].collected, rows[refund].outstanding) == (Decimal("71100.00"), Decimal("0.00"))
        assert rows[talk].outstanding is None and rows[fine].decision.loss == Decimal("71100.00")
        finding = w.session.exec(select(Finding).where(Finding.number == "2-3")).one()
        actions = [e.action for e in events_of(w.session, finding.id)]
        assert actions.count("处理决定") == 3 and actions.count("收缴到账") == 2
