"""督办通知单: a unit is told which findings are overdue and what it must do by when."""
from __future__ import annotations

from pathlib import Path

from notices.documents.blocks import contact_line, overdue_table
from notices.documents.data import SupervisionNotice
from notices.documents.gbt9704 import OfficialDocument
from notices.documents.wording import cn_date, cn_number, sentence


def default_demands(notice: SupervisionNotice) -> tuple[str, ...]:
    return (
        f"请于{cn_date(notice.reply_by)}前完成上述问题整改，并将整改情况和佐证材料报送整改办",
        "确因客观原因不能按期完成的，须书面说明原因，提出延期申请并明确新的完成时限",
        "逾期仍未完成整改的，将按规定升级督办，约谈单位主要负责人并予以通报",
    )


def build_supervision_notice(notice: SupervisionNotice, path) -> Path:
    header = notice.header
    title = f"{notice.level}通知单"
    doc = OfficialDocument.opening(header, title, letter=True, addressee=notice.unit)
    items = notice.items
    overdue = [it for it in items if it.days_overdue]
    doc.paragraph(
        f"截至{cn_date(notice.as_of)}，你单位负责整改的以下{len(items)}个问题尚未完成整改销号"
        + (f"，其中{len(overdue)}个已超过整改时限，最长逾期{max(it.days_overdue for it in overdue)}天"
           if overdue else "")
        + f"。现予{notice.level}：")
    overdue_table(doc, items)
    doc.blank()
    for i, demand in enumerate(notice.demands or default_demands(notice), 1):
        doc.paragraph(sentence(demand), lead=f"{cn_number(i)}、", lead_level=1)
    contact_line(doc, notice.contact)
    doc.signature(header.issuer.signed_by, header.issued_on)
    return doc.save(path)
