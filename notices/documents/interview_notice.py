"""约谈通知书: the head of a unit is summoned over its overdue findings."""
from __future__ import annotations

from pathlib import Path

from notices.documents.blocks import contact_line, overdue_table
from notices.documents.data import InterviewNotice
from notices.documents.gbt9704 import OfficialDocument
from notices.documents.wording import cn_date, cn_datetime, cn_number, sentence

TITLE = "约谈通知书"
DEFAULT_BRING = ("问题整改情况书面报告（须经单位主要负责人签字）", "整改措施及佐证材料", "未按期整改的原因说明及下一步计划")


def build_interview_notice(notice: InterviewNotice, path) -> Path:
    header = notice.header
    doc = OfficialDocument.opening(header, TITLE, letter=True, addressee=notice.unit)
    items = notice.items
    doc.paragraph(
        f"截至{cn_date(notice.as_of)}，你单位负责整改的{len(items)}个问题未按期完成整改。"
        f"为压实整改责任，经研究，决定对你单位主要负责人进行约谈。现将有关事项通知如下：")
    sections = (
        ("约谈对象", notice.interviewee),
        ("约谈时间", cn_datetime(notice.at)),
        ("约谈地点", notice.place),
        ("约谈人", notice.interviewers),
    )
    for i, (label, value) in enumerate(sections, 1):
        doc.paragraph(sentence(value), lead=f"{cn_number(i)}、{label}：", lead_level=1)
    n = len(sections)
    doc.paragraph("下列问题逾期未完成整改：", lead=f"{cn_number(n + 1)}、约谈事由：", lead_level=1)
    overdue_table(doc, items)
    doc.blank()
    attend = f"请{notice.interviewee}" + (f"和{notice.attendees}" if notice.attendees else "")
    doc.paragraph(f"{attend}按时参加，并携带以下材料：", lead=f"{cn_number(n + 2)}、有关要求：",
                  lead_level=1)
    for i, item in enumerate(notice.bring or DEFAULT_BRING, 1):
        doc.paragraph(sentence(item), lead=f"（{cn_number(i)}）", lead_level=4)
    doc.paragraph("被约谈人因特殊情况不能按时参加的，须提前书面说明理由，经同意后另行安排，不得委托他人代为参加。")
    contact_line(doc, notice.contact)
    doc.signature(header.issuer.signed_by, header.issued_on)
    return doc.save(path)
