"""Realistic notice contexts for tests (findings modelled on county audit reports)."""
from __future__ import annotations

from datetime import date, datetime

from notices.context import Attachment, Contact, NoticeContext, NoticeItem, Recipient

ISSUED = date(2026, 4, 5)
OFFICE = "区医疗保障基金整改工作领导小组办公室"
UNIT = Recipient("王明", "区卫健委", mobile="13800000001", wecom_userid="wangming", dingtalk_userid="ding-wm",
                 feishu_open_id="ou_wangming", email="wangming@wjw.example.gov.cn")
CONTACT = Contact("李华", phone="0797-4412345", office="区医保基金整改办", email="zgb@example.gov.cn")

SUMMARIES = [
    "区人民医院重复收费、超标准收费，涉及医保基金12.34万元",
    "县中医院串换药品、分解住院，违规结算医保基金7.11万元",
    "定点零售药店违规销售日用品并刷医保卡结算",
    "医保经办机构内控制度不健全，待遇审核岗位未分离",
    "乡镇卫生院挂床住院，虚增住院天数",
]
STEPS = ["urge", "reminder", "supervise", "urge", "interview"]

EXTRAS = {
    "interview": {"interview_at": datetime(2026, 4, 15, 9, 30), "place": "区医保局三楼会议室",
                  "interviewer": "区整改工作领导小组副组长"},
    "signoff_returned": {"reason": "佐证材料不全，缺少退款凭证", "returned_by": "整改办复核"},
    "extension_decision": {"approved": True, "new_deadline": date(2026, 6, 30), "reason": "涉及跨年度清算"},
    "report_delivery": {"report_title": "2026年第一季度整改情况报告"},
    "failure_summary": {"failures": [
        {"recipient": "区卫健委", "channel": "wecom_wjw", "kind": "urge", "attempts": 3, "state": "dead",
         "errcode": 93000, "errmsg": "invalid webhook url"}]},
    "dead_letter_alert": {"notice_id": 42, "channel": "wecom_wjw", "recipient": "区卫健委", "kind": "urge",
                          "errcode": 93000, "errmsg": "invalid webhook url", "attempts": 1},
    "circular": {"commended": ["区财政局", "区公安局"]},
    "referral": {"history": [{"date": "2026-03-01", "action": "催办"}, {"date": "2026-03-15", "action": "约谈主要负责人"}]},
}


def item(i: int, summary: str | None = None, step: str | None = None) -> NoticeItem:
    days = 10 - 4 * (i % 5)
    return NoticeItem(
        finding_number=f"2026-{i:03d}",
        summary=summary or SUMMARIES[i % len(SUMMARIES)],
        unit="区卫健委",
        deadline=date.fromordinal(ISSUED.toordinal() + days),
        days_left=days,
        step=step or STEPS[i % len(STEPS)],
        demand="追回违规资金，完善收费审核制度并提交佐证材料",
    )


def context(kind: str = "urge", n: int = 2, *, items=None, recipient: Recipient = UNIT,
            attachments: tuple[Attachment, ...] = (), **overrides) -> NoticeContext:
    fields = dict(kind=kind, recipient=recipient, office=OFFICE, issued_on=ISSUED,
                  items=tuple(items if items is not None else (item(i) for i in range(1, n + 1))),
                  contact=CONTACT, respond_by=date(2026, 4, 10), extra=EXTRAS.get(kind, {}),
                  attachments=attachments)
    fields.update(overrides)
    return NoticeContext(**fields)
