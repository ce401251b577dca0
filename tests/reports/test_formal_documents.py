"""The documents about one finding or one formal act, filled from the recorded events."""
from datetime import datetime

import pytest
from docx import Document

from models.errors import RectifyError
from models.report_figures import signoff_events, snapshot_session
from notices.documents.data import SignOffStep
from notices.reports import (
    write_circular, write_interview_notice, write_referral, write_signoff_form, write_supervision_notice,
)
from tests.documents.helpers import body_text, table_rows
from tests.reports.scenario import CIRCULAR_NUMBER, REPORT_AT, RETURN_REASON, SHORTFALL, SUMMARIES


def write(scenario, tmp_path, writer, *args, now=REPORT_AT):
    with snapshot_session(scenario.engine) as session:
        return Document(writer(session, scenario.settings, now, *args, path=tmp_path / f"{writer.__name__}.docx"))


def boxes(doc) -> dict[str, str]:
    """Sign-off form: box label -> its text (opinion, signer, date)."""
    return {row[0]: row[1] for row in table_rows(doc.tables[0]) if row[0].endswith("意见")}


def test_signoff_form_boxes_come_from_the_final_request(scenario, tmp_path):
    doc = write(scenario, tmp_path, write_signoff_form, "2-1")
    rows = {row[0]: row for row in table_rows(doc.tables[0])}
    assert rows["问题编号"][1] == "2-1" and rows["责任单位"][1] == "县新农合办公室（配合单位：县财政局）"
    assert "已整改金额" in rows["涉及金额"] and "归还原渠道4,381.00元" in rows["涉及金额"][3]
    assert rows["佐证材料"][1] == "1. 重复参保人员比对结果\n2. 逐人清退明细表"
    filled = boxes(doc)
    expected = {"责任单位\n意见": "赵主任", "牵头单位\n审核意见": "孙科长", "整改办\n复核意见": "王主任",
                "领导\n审批意见": "刘局长"}
    for label, signer in expected.items():
        assert f"（签字）：{signer}" in filled[label] and "2026年3月16日" in filled[label]
    assert RETURN_REASON not in "".join(filled.values())  # the returned request is superseded
    assert "编号：2026-" in body_text(doc)


def test_signoff_boxes_of_a_returned_request_and_a_shortfall(scenario):
    ids = scenario.ids()
    with snapshot_session(scenario.engine) as session:
        returned = signoff_events(session, ids["2-1"], datetime(2026, 3, 13, 9))
        closed_short = signoff_events(session, ids["2-4"], REPORT_AT)
        never = signoff_events(session, ids["3-1"], REPORT_AT)
    assert [(e.step, e.signer) for e in returned] == [(SignOffStep.UNIT_HEAD, "赵主任"),
                                                       (SignOffStep.LEAD_UNIT, "孙科长")]
    assert returned[1].opinion == f"退回补充：{RETURN_REASON}"
    assert [e.step for e in closed_short] == list(SignOffStep)
    assert closed_short[-1].signer == "刘局长" and SHORTFALL in closed_short[-1].opinion
    assert never == ()


def test_supervision_notice_at_the_level_reached(scenario, tmp_path):
    doc = write(scenario, tmp_path, write_supervision_notice, "2-3")
    text = body_text(doc)
    assert "红牌督办通知单" in text and "县新农合办公室：" in text and "X医保督〔2026〕" in text
    assert "最长逾期20天" in text and "请于2026年5月27日前" in text  # five working days
    [_, row] = table_rows(doc.tables[0])
    assert row[1:5] == ["2-3", SUMMARIES["2-3"], "2026-04-30", "20天"]
    with pytest.raises(RectifyError, match="已于 2026-03-10 销号，无需督办"):
        write(scenario, tmp_path, write_supervision_notice, "1")


def test_interview_notices(scenario, tmp_path):
    upcoming = write(scenario, tmp_path, write_interview_notice, 2)
    text = body_text(upcoming)
    assert "约谈通知书" in text and "县新农合办公室：" in text and "X医保约〔2026〕" in text
    assert "约谈对象：赵主任（县新农合办公室单位负责人）" in text
    assert "约谈时间：2026年5月25日15时" in text and "县医疗保障局三楼会议室" in text
    assert "约谈人：县医疗保障局局长刘某某" in text and text.rstrip().endswith("2026年5月20日")
    assert table_rows(upcoming.tables[0])[1][1] == "2-3"
    # The hospital's interview was held on 04-02: its notice is dated the day it was arranged.
    held = body_text(write(scenario, tmp_path, write_interview_notice, 1))
    assert "截至2026年3月31日" in held and "逾期" in held and held.rstrip().endswith("2026年3月31日")
    with pytest.raises(RectifyError, match="找不到编号为 9 的约谈"):
        write(scenario, tmp_path, write_interview_notice, 9)


def test_issued_circular_keeps_its_number_and_commends_early_finishers(scenario, tmp_path):
    doc = write(scenario, tmp_path, write_circular, 1)
    text = body_text(doc)
    assert CIRCULAR_NUMBER in text and "XX县医疗保障局\n2026年4月10日" in text and "各责任单位：" in text
    praise = text[text.index("通报表扬"):text.index("通报批评")]
    assert "县财政局" in praise and "“问题1：配套资金拨付不及时”提前22天销号" in praise
    assert "县新农合办公室" in praise and "“问题2-1：重复参保”提前16天销号" in praise
    blame = text[text.index("通报批评"):text.index("工作要求")]
    assert "县人民医院" in blame and "整改时限2026年3月23日，逾期18天" in blame
    assert "截至2026年4月10日，列入整改台账的问题共7个" in text
    header, *_, total = table_rows(doc.tables[-1])
    assert header[0] == "排名" and total[2] == "7"


def test_draft_circular_is_numbered_after_the_issued_one(scenario, tmp_path):
    text = body_text(write(scenario, tmp_path, write_circular, 2))
    assert "X医保通〔2026〕2号" in text and CIRCULAR_NUMBER not in text
    assert "通报表扬" not in text  # nothing was closed early since the first circular
    assert "县新农合办公室。逾期未完成整改问题1个：“问题2-3：数据不一致”（整改时限2026年4月30日，逾期20天）" in text


def test_referral_letter_lists_the_whole_history(scenario, tmp_path):
    doc = write(scenario, tmp_path, write_referral, 1)
    text = body_text(doc)
    assert "关于移送县人民医院整改不力问题线索的函" in text and "县纪委监委：" in text and "X医保函〔2026〕" in text
    assert "郑院长（县人民医院单位负责人）" in text and "已逾期58天" in text
    _, *history = table_rows(doc.tables[0])
    actions = [row[3] for row in history]
    assert actions == ["提醒", "提醒", "提醒", "催办", "督办", "列入约谈", "安排约谈", "完成约谈", "列入通报", "印发通报",
                       "处理决定", "处理决定", "拟问责移送"]
    dates = [row[1] for row in history]
    assert dates == sorted(dates) and dates[3] == "2026-03-24" and dates[-1] == "2026-04-22"
    assert all(row[2] == "3-1" for row in history)
    issued = next(row for row in history if row[3] == "印发通报")
    assert issued[4] == "王主任（整改办）" and issued[5] == CIRCULAR_NUMBER
    assert f"通报（{CIRCULAR_NUMBER}）" in text  # enclosed
