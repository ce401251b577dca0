"""问责移送函: a unit's unresolved findings and the whole history of chasing it, to 纪检监察."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from notices.documents.data import Referral
from notices.documents.gbt9704 import TYPE_AREA_WIDTH, OfficialDocument
from notices.documents.tables import Column, build_table
from notices.documents.wording import cn_date, cn_number, sentence, yuan

HISTORY_COLUMNS = (
    Column("序号", 6, "center"), Column("日期", 16, "center"), Column("问题编号", 15, "center"),
    Column("事项", 8, "center"), Column("经办", 18), Column("情况", 29),
)


def build_referral(referral: Referral, path) -> Path:
    header = referral.header
    unit = referral.unit
    title = f"关于移送{unit}整改不力问题线索的函"
    doc = OfficialDocument.opening(header, title, letter=True,
                                   addressee=header.addressee or header.issuer.discipline_body)
    doc.paragraph(
        f"{unit}负责整改的{len(referral.findings)}个问题{referral.grounds}。"
        f"根据审计整改工作有关规定，现将有关问题线索移送你委，请依规依纪依法处理。有关情况如下：")

    doc.heading(1, "一、基本情况")
    doc.paragraph(f"责任单位：{unit}；单位主要负责人（责任人）：{referral.responsible}。")

    doc.heading(1, "二、问题及整改情况")
    for i, f in enumerate(referral.findings, 1):
        doc.heading(2, f"（{cn_number(i)}）{f.summary}（{f.number}）")
        money = f"涉及金额{yuan(f.amount)}元，已整改{yuan(f.rectified_total)}元。" if f.amount else ""
        days = f.days_overdue(referral.as_of)
        doc.paragraph(
            sentence(f.description or f.summary) + money
            + f"整改时限{cn_date(f.deadline)}，截至{cn_date(referral.as_of)}"
            + (f"已逾期{days}天，" if days else "，") + f"目前状态：{f.status_text}。"
            + (f"单位说明的原因：{sentence(f.reason)}" if f.reason else ""))

    doc.heading(1, "三、督促整改过程")
    timeline = referral.timeline
    counts = Counter(e.action for e in timeline)
    summary = "、".join(f"{action}{n}次" for action, n in counts.items())
    doc.paragraph(f"{cn_date(timeline[0].at)}至{cn_date(timeline[-1].at)}，"
                  f"我办先后{summary}，该单位仍未整改到位。督促整改记录如下：")
    rows = ((str(i), e.at.strftime("%Y-%m-%d"), e.finding_number, e.action, e.by, e.detail)
            for i, e in enumerate(timeline, 1))
    doc.append_block(build_table(doc.doc, HISTORY_COLUMNS, rows, TYPE_AREA_WIDTH))

    doc.attachment_note(list(referral.enclosures))
    doc.signature(header.issuer.signed_by, header.issued_on)
    return doc.save(path)
