"""通报: units commended for finishing early and units named for overdue or false rectification."""
from __future__ import annotations

from pathlib import Path

from notices.documents.data import Circular, Commendation, NamedUnit
from notices.documents.gbt9704 import OfficialDocument
from notices.documents.league_table import league_block
from notices.documents.wording import cn_date, cn_number, sentence

LEAGUE_TITLE = "各责任单位整改销号情况排名表"
DEFAULT_REQUIREMENTS = (
    "被通报批评的单位要认真剖析原因，于10个工作日内向整改办书面报告整改情况和下一步措施",
    "各单位要对照整改台账逐项自查，确保整改一条、销号一条，严禁虚假整改、敷衍整改",
    "整改办将持续跟踪督办，对整改不力的单位按规定约谈主要负责人，情节严重的移送纪检监察机关",
)


def build_circular(circular: Circular, path) -> Path:
    header = circular.header
    doc = OfficialDocument.opening(header, circular.title)
    sections = [("总体进展", lambda: [doc.paragraph(sentence(t)) for t in circular.overview])]
    if circular.commended:
        sections.append(("通报表扬", lambda: _commend(doc, circular.commended)))
    if circular.criticised:
        sections.append(("通报批评", lambda: _criticise(doc, circular)))
    sections.append(("工作要求", lambda: [
        doc.paragraph(sentence(t), lead=f"（{cn_number(i)}）")
        for i, t in enumerate(circular.requirements or DEFAULT_REQUIREMENTS, 1)]))
    for i, (heading, write) in enumerate(sections, 1):
        doc.heading(1, f"{cn_number(i)}、{heading}")
        write()
    if circular.league:
        doc.attachment_note([LEAGUE_TITLE])
    doc.signature(header.issuer.signed_by, header.issued_on)
    if circular.league:
        doc.attachment_page("附件", LEAGUE_TITLE)
        doc.note(f"（统计截至{cn_date(circular.as_of)}）")
        league_block(doc, circular.league)
    return doc.save(path)


def _commend(doc: OfficialDocument, commended: tuple[Commendation, ...]) -> None:
    for i, c in enumerate(commended, 1):
        ahead = [(f.deadline - f.closed_on).days for f in c.findings]
        items = "、".join(f"“{f.summary}”提前{d}天销号" if d else f"“{f.summary}”按期销号"
                          for f, d in zip(c.findings, ahead))
        doc.paragraph(f"{len(c.findings)}个问题按期完成整改销号，其中{items}。",
                      lead=f"（{cn_number(i)}）{c.unit}。")
    doc.paragraph("对以上单位予以通报表扬。")


def _criticise(doc: OfficialDocument, circular: Circular) -> None:
    for i, named in enumerate(circular.criticised, 1):
        doc.paragraph(_named_text(named, circular), lead=f"（{cn_number(i)}）{named.unit}。")
    doc.paragraph("对以上单位予以通报批评，责令限期整改到位。")


def _named_text(named: NamedUnit, circular: Circular) -> str:
    details = []
    for f in named.findings:
        days = f.days_overdue(circular.as_of)
        details.append(f"“{f.summary}”（整改时限{cn_date(f.deadline)}" + (f"，逾期{days}天）" if days else "）"))
    return f"{named.reason}问题{len(named.findings)}个：{'；'.join(details)}。"
