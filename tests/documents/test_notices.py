"""审批表, 督办通知单, 约谈通知书, 通报, 问责移送函 and the league table, read back."""
import dataclasses
from datetime import datetime

import pytest
from docx.oxml.ns import qn

from models.errors import RectifyError
from notices.documents.data import Commendation, HistoryEvent, SignOffStep
from tests.documents import samples
from tests.documents.helpers import body_text, paragraphs_in, table_rows


# -- 整改销号审批表 --------------------------------------------------------------------------

def test_signoff_form_shows_the_finding_and_its_evidence(docs):
    doc = docs["signoff"]
    assert paragraphs_in(doc, "Title") == ["整改销号审批表"]
    rows = table_rows(doc.tables[0])
    assert rows[0] == ["问题编号", "SJ2025-04", "问题来源", "审计 X审调报〔2025〕9号"]
    assert rows[2][1] == "县医疗保障局" and rows[2][3] == "2026年6月30日"
    assert rows[4][3] == "9,381,596.00元（追回/退回基金8,912,300.00元；调账469,296.00元）"
    assert rows[5][1].startswith("一是按医疗机构级别")
    assert rows[7][1] == "1. 追回款银行回单\n2. 调账凭证\n3. 药品目录设置截图"


def test_signoff_boxes_are_filled_from_the_latest_event_of_each_step(docs):
    rows = table_rows(docs["signoff"].tables[0])[-4:]
    assert [r[0] for r in rows] == ["责任单位\n意见", "牵头单位\n审核意见", "整改办\n复核意见", "领导\n审批意见"]
    # The lead unit first returned the request; the box shows its second, approving review.
    assert rows[0][1] == "已补充调账凭证，申请销号。\n单位负责人（签字）：赵某某\n2026年6月16日"
    assert rows[1][1] == "经审核，整改措施落实到位，同意报整改办复核。\n牵头单位负责人（签字）：钱某某\n2026年6月18日"
    assert rows[2][1].endswith("复核人（签字）：孙某某\n2026年6月22日")
    assert rows[3][1] == "同意销号。\n审批领导（签字）：李某某\n2026年6月25日"


def test_signoff_form_for_a_request_still_under_review_leaves_boxes_blank(tmp_path):
    from docx import Document

    from notices.documents.signoff_form import build_signoff_form

    form = samples.signoff_form()
    pending = dataclasses.replace(form, events=tuple(
        e for e in form.events if e.step in (SignOffStep.UNIT_HEAD, SignOffStep.LEAD_UNIT)))
    rows = table_rows(Document(build_signoff_form(pending, tmp_path / "f.docx")).tables[0])[-2:]
    assert rows[0][1] == "\n复核人（签字）：\n\u3000\u3000年\u3000\u3000月\u3000\u3000日"
    assert rows[1][1].startswith("\n审批领导（签字）：")


def test_signoff_steps_must_follow_the_chain():
    form = samples.signoff_form()
    skipped = tuple(e for e in form.events if e.step is not SignOffStep.COORDINATOR)
    with pytest.raises(RectifyError, match="缺少“整改办复核意见”，却已有“领导审批意见”"):
        dataclasses.replace(form, events=skipped)
    early = tuple(dataclasses.replace(e, at=datetime(2026, 6, 1)) if e.step is SignOffStep.LEADER else e
                  for e in form.events)
    with pytest.raises(RectifyError, match="“领导审批意见”（2026-06-01 00:00）早于“整改办复核意见”"):
        dataclasses.replace(form, events=early)


# -- 督办通知单 / 约谈通知书 ---------------------------------------------------------------

def test_supervision_notice(docs):
    doc = docs["supervision"]
    assert doc.paragraphs[0].text == "XX县审计整改工作领导小组办公室"
    assert paragraphs_in(doc, "Title") == ["黄牌督办通知单"]
    text = body_text(doc)
    assert "X审整办〔2026〕31号" in text and "县医疗保障局：" in text
    assert "以下2个问题尚未完成整改销号，其中2个已超过整改时限，最长逾期51天。现予黄牌督办：" in text
    rows = table_rows(doc.tables[0])
    assert rows[0] == ["序号", "问题编号", "问题摘要", "整改时限", "逾期天数", "当前状态"]
    assert rows[1] == ["1", "SJ2025-05", "新农合与医疗救助不衔接", "2026-09-30", "51天", "部分整改"]
    assert rows[2][4] == "20天"
    assert "一、请于2026年12月5日前完成上述问题整改" in text
    assert "联系人：孙某某，电话 0530-1234567" in text


def test_interview_notice(docs):
    text = body_text(docs["interview"])
    assert "约谈通知书" in text
    for expected in ("一、约谈对象：周某某（县医疗保障局局长）。", "二、约谈时间：2026年11月27日15时。",
                     "三、约谈地点：县政府3楼第二会议室。", "四、约谈人：县审计整改工作领导小组副组长、副县长李某某。",
                     "五、约谈事由：下列问题逾期未完成整改：",
                     "六、有关要求：请周某某（县医疗保障局局长）和分管副局长、基金监管股负责人按时参加",
                     "（一）问题整改情况书面报告（须经单位主要负责人签字）。"):
        assert expected in text
    assert [r[1] for r in table_rows(docs["interview"].tables[0])[1:]] == ["SJ2025-05", "SJ2025-09"]


def test_notices_refuse_closed_findings():
    with pytest.raises(RectifyError, match="督办通知单：问题SJ2025-01已销号，不应列入"):
        dataclasses.replace(samples.supervision_notice(), findings=(samples.finding("SJ2025-01"),))


def test_interview_cannot_precede_the_notice():
    with pytest.raises(RectifyError, match="约谈时间2026-11-20 09:00早于发文日期2026-11-22"):
        dataclasses.replace(samples.interview_notice(), at=datetime(2026, 11, 20, 9, 0))


# -- 通报 -------------------------------------------------------------------------------------

def test_circular_commends_and_names_units(docs):
    doc = docs["circular"]
    assert doc.paragraphs[0].text == "XX县审计整改工作领导小组办公室文件"
    assert paragraphs_in(doc, "Heading 1") == ["一、总体进展", "二、通报表扬", "三、通报批评", "四、工作要求"]
    text = body_text(doc)
    assert "各乡镇人民政府，县直有关部门，各定点医疗机构：" in text
    assert "（一）次丘中心卫生院。1个问题按期完成整改销号，其中“医疗收费项目不明细”提前1天销号。" in text
    assert "（二）县人民医院。逾期未完成整改问题1个：“超规定加成率销售药品”（整改时限2026年7月31日，逾期112天）。" in text
    assert "附件：各责任单位整改销号情况排名表" in text


def test_circular_cannot_commend_a_late_finding():
    with pytest.raises(RectifyError, match="问题SJ2025-03未按期销号，不能作为表扬事项"):
        Commendation("县医疗保障局", (samples.finding("SJ2025-03"),))


# -- 问责移送函 -------------------------------------------------------------------------------

def test_referral_carries_the_whole_history(docs):
    doc = docs["referral"]
    text = body_text(doc)
    assert paragraphs_in(doc, "Title") == ["关于移送县医疗保障局整改不力问题线索的函"]
    assert "县纪委监委：" in text
    assert "单位主要负责人（责任人）：周某某（县医疗保障局局长）" in text
    assert "（一）数据录入信息不准确、电子数据不对应（SJ2025-09）" in text
    assert "截至2026年11月20日已逾期20天，目前状态：待整改。" in text
    assert "2026年10月24日至2026年11月18日，我办先后提醒2次、催办1次、督办1次、约谈1次、通报1次" in text
    rows = table_rows(doc.tables[0])
    assert rows[0] == ["序号", "日期", "问题编号", "事项", "经办", "情况"]
    assert [r[3] for r in rows[1:]] == ["提醒", "提醒", "催办", "督办", "约谈", "通报"]
    assert [r[1] for r in rows[1:]] == sorted(r[1] for r in rows[1:])
    assert doc.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert "附件：1. 督办通知单（X审整办〔2026〕28号）" in text


def test_referral_history_is_sorted_whatever_the_input_order():
    referral = samples.referral()
    shuffled = dataclasses.replace(referral, history=tuple(reversed(referral.history)))
    assert [e.action for e in shuffled.timeline] == ["提醒", "提醒", "催办", "督办", "约谈", "通报"]


def test_referral_history_must_concern_the_referred_findings():
    stray = HistoryEvent(datetime(2026, 11, 2, 9, 0), "SJ2025-01", "催办", "整改办")
    with pytest.raises(RectifyError, match="所涉问题SJ2025-01不在移送问题之列"):
        dataclasses.replace(samples.referral(), history=samples.referral().history + (stray,))


# -- unit league table ----------------------------------------------------------------------

def test_league_table_ranks_units_by_on_time_rate(docs):
    doc = docs["league"]
    rows = table_rows(doc.tables[0])
    assert rows[0] == ["排名", "责任单位", "问题数", "已销号", "其中按期", "逾期销号", "正在整改",
                       "逾期未销号", "按期销号率", "逾期率"]
    assert [r[:2] for r in rows[1:6]] == [["1", "县财政局"], ["1", "康驿镇卫生院"], ["1", "次丘中心卫生院"],
                                          ["4", "县医疗保障局"], ["5", "县人民医院"]]
    assert rows[4][2:] == ["8", "5", "4", "1", "1", "2", "57.1%", "42.9%"]
    assert rows[6] == ["", "合计", "12", "8", "7", "1", "1", "3", "63.6%", "36.4%"]
    assert doc.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert "制表单位：县审计整改工作领导小组办公室\u3000\u3000制表日期：2026年11月22日" in body_text(doc)
