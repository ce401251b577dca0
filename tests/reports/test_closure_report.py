"""整改情况报告 from the database: the figures a reader checks, against what the scenario registered."""
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from docx import Document

from models.errors import RectifyError
from models.report_figures import Scope, finding_rows, headline_figures, snapshot_session, unit_stats
from notices.reports import write_closure_report, write_league_table
from tests.documents.helpers import body_text, table_rows
from tests.reports.scenario import EXPECTED, REPORT_AT, SOURCE_DOC, SOURCE_TITLE, SUMMARIES


def money(text: str) -> Decimal:
    return Decimal(text.replace(",", "")) if text not in ("—", "") else Decimal("0.00")


def write(scenario, tmp_path, **kw):
    with snapshot_session(scenario.engine) as session:
        return write_closure_report(session, scenario.settings, REPORT_AT, path=tmp_path / "report.docx", **kw)


def test_headline_figures_add_up(scenario):
    with snapshot_session(scenario.engine) as session:
        fig = headline_figures(session, Scope(), REPORT_AT.date())
        rows = finding_rows(session, Scope(), REPORT_AT.date())
        units = unit_stats(session, Scope(), REPORT_AT.date())
    assert fig.total == EXPECTED["total"] == len(rows) == sum(u.total for u in units)
    assert sum(fig.by_outcome.values()) == fig.total
    assert [fig.by_outcome[o] for o in fig.by_outcome] == [EXPECTED["closed"], EXPECTED["in_progress"],
                                                            EXPECTED["not_started"]]
    assert (fig.due, fig.closed_on_time) == (EXPECTED["due"], EXPECTED["on_time"])
    assert {str(t): n for t, n in fig.by_type.items()} == EXPECTED["types"]
    assert {str(k): v for k, v in fig.rectified_by_kind.items() if v} == EXPECTED["by_kind"]
    assert sum(fig.rectified_by_kind.values()) == fig.rectified_amount == EXPECTED["rectified"]
    assert (fig.problem_amount, fig.unrectified_amount) == (EXPECTED["problem"], EXPECTED["unrectified"])
    assert sum(r.rectified_total for r in rows) == fig.rectified_amount


def test_report_text_states_the_figures(scenario, tmp_path):
    path = write(scenario, tmp_path)
    text = body_text(Document(path))
    assert f"关于{SOURCE_TITLE}发现问题整改情况的报告" in text and f"（{SOURCE_DOC}）" in text
    assert "X医保报〔2026〕" in text and "签发人：刘某某" in text and "县人民政府：" in text
    for heading in ("一、总体情况", "二、逐项整改情况", "三、尚未整改到位的问题及原因", "四、下一步工作"):
        assert heading in text
    assert "共涉及问题7个。截至2026年5月20日，已整改3个" in text
    assert "正在整改（含部分整改）2个" in text and "未整改2个" in text
    shares = [Decimal(p) for p in re.findall(r"占(\d+\.\d)%", text)[:3]]
    assert sum(shares) == Decimal("100.0") and shares[0] == Decimal("42.8")  # 3/7, largest remainder
    assert "已到整改时限或已销号的问题5个，其中按期销号2个，按期销号率40.0%" in text
    assert "立行立改2个、分阶段整改4个、持续整改1个" in text
    assert ("问题资金216,981.00元，整改到位资金121,381.00元，其中追回/退回基金113,000.00元、罚款1,000.00元、"
            "归还原渠道4,381.00元、调账3,000.00元；未整改资金96,600.00元，问题资金追回率55.5%") in text
    # 约谈 held at the hospital, the first 通报 issued, the referral made; 罚款 decided and part collected.
    assert "开展约谈1次、通报1次，移送问责线索1件。" in text
    assert "作出行政处罚决定1件，决定罚没金额105,900.00元，已收缴50,000.00元" in text
    # Open findings: the extension's reason and plan, the overdue one's escalations.
    unfinished = text[text.index("三、尚未整改到位的问题及原因"):text.index("四、下一步工作")]
    assert "报销目录调整需省级信息系统配合" in unfinished and "计划于2026年5月29日前整改到位" in unfinished
    assert "逾期后已先后催办、督办、列入约谈、列入通报、启动问责移送。责令立即整改到位。" in unfinished
    assert "问题1：配套资金拨付不及时" not in unfinished


def test_appendix_lists_each_finding_once_and_totals(scenario, tmp_path):
    rows = table_rows(Document(write(scenario, tmp_path)).tables[-1])
    header, *body, total = rows
    assert header[0] == "序号" and total[0] == "合计" and "共7个问题" in total[2]
    assert sorted(r[2] for r in body) == sorted(SUMMARIES.values())  # each finding once
    assert sum(money(r[3]) for r in body) == money(total[3]) == EXPECTED["problem"]
    assert sum(money(r[4]) for r in body) == money(total[4]) == EXPECTED["rectified"]
    by_summary = {r[2]: r for r in body}
    assert by_summary[SUMMARIES["2-4"]][8:10] == ["已销号", "2026-03-25"]
    assert by_summary[SUMMARIES["2-2"]][7] == "2026-05-29" and "经批准延期" in by_summary[SUMMARIES["2-2"]][11]
    assert by_summary[SUMMARIES["2-1"]][10] == "重复参保人员比对结果\n逐人清退明细表"
    assert [r[8] for r in body].count("已销号") == EXPECTED["closed"]


def test_scopes_and_the_statistics_date(scenario, tmp_path):
    by_source = body_text(Document(write(scenario, tmp_path, source=SOURCE_DOC)))
    assert "共涉及问题7个" in by_source
    period = body_text(Document(write(scenario, tmp_path, start=date(2026, 2, 1), end=date(2026, 2, 28))))
    # A period takes the findings of the sources issued in it (the audit report: 2026-02-20).
    assert "关于2026年2月1日至2026年2月28日审计和检查发现问题整改情况的报告" in period
    assert "共涉及问题7个" in period and f"（{SOURCE_DOC}）" in period
    with pytest.raises(RectifyError, match="统计范围（20260301-20260331）内没有问题"):
        write(scenario, tmp_path, start=date(2026, 3, 1), end=date(2026, 3, 31))
    with pytest.raises(RectifyError, match="问题来源“X审调〔2026〕9号”不存在"):
        write(scenario, tmp_path, source="X审调〔2026〕9号")
    with snapshot_session(scenario.engine) as session, pytest.raises(RectifyError, match="早于台账最后一次变动"):
        write_closure_report(session, scenario.settings, datetime(2026, 4, 1, 9), path=tmp_path / "early.docx")


def test_the_same_report_keeps_its_number(scenario, tmp_path):
    def number(path):
        return re.search(r"X医保报〔2026〕(\d+)号", body_text(Document(path)))[1]

    first = number(write(scenario, tmp_path))
    assert number(write(scenario, tmp_path)) == first
    assert number(write(scenario, tmp_path, source=SOURCE_DOC)) != first  # another report, another number
    assert number(write(scenario, tmp_path, serial=40)) == "40"


def test_league_table(scenario, tmp_path):
    with snapshot_session(scenario.engine) as session:
        path = write_league_table(session, scenario.settings, REPORT_AT, path=tmp_path / "league.docx")
    header, *units, total = table_rows(Document(path).tables[0])
    assert header[:2] == ["排名", "责任单位"]
    by_unit = {r[1]: r for r in units}
    # rank, unit, total, closed, on time, late, in progress, overdue, on-time rate, overdue rate
    assert by_unit["县财政局"][2:] == ["3", "2", "1", "1", "1", "0", "50.0%", "50.0%"]
    assert by_unit["县新农合办公室"][2:] == ["3", "1", "1", "0", "1", "1", "50.0%", "50.0%"]
    assert by_unit["县人民医院"] == ["3", "县人民医院", "1", "0", "0", "0", "0", "1", "0.0%", "100.0%"]
    assert total[1:] == ["合计", "7", "3", "2", "1", "2", "2", "40.0%", "60.0%"]
