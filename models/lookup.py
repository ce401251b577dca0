"""Find people and findings the way a user names them on the command line."""
from sqlmodel import Session, select

from models.errors import ValidationError
from models.ledger import Finding, Person, Source, Unit


def find_person(session: Session, text: str) -> Person:
    """By id, by name (when unique), or as 单位/姓名."""
    text = (text or "").strip()
    if text.isdigit():
        person = session.get(Person, int(text))
        if person:
            return person
    query = select(Person)
    if "/" in text:
        unit_name, name = text.rsplit("/", 1)
        query = query.join(Unit, Unit.id == Person.unit_id).where(Unit.name == unit_name.strip(), Person.name == name.strip())
    else:
        query = query.where(Person.name == text)
    matches = list(session.exec(query))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ValidationError(f"找不到人员“{text}”（可用姓名、“单位/姓名”或人员编号；rectify person list 查看）")
    options = "、".join(f"{session.get(Unit, p.unit_id).name}/{p.name}（编号 {p.id}）" for p in matches)
    raise ValidationError(f"人员“{text}”有重名：{options}，请写明单位")


def find_finding(session: Session, ref: str) -> Finding:
    """By 编号 (when unique across sources), 来源文号或标题:编号, or #id."""
    ref = (ref or "").strip()
    if ref.startswith("#") and ref[1:].isdigit():
        finding = session.get(Finding, int(ref[1:]))
        if finding is None:
            raise ValidationError(f"找不到内部编号为 {ref} 的问题")
        return finding
    query = select(Finding)
    number = ref
    if ":" in ref or "：" in ref:
        source_ref, number = ref.replace("：", ":").rsplit(":", 1)
        query = query.join(Source, Source.id == Finding.source_id).where(
            (Source.doc_number == source_ref.strip()) | (Source.title == source_ref.strip()))
    matches = list(session.exec(query.where(Finding.number == number.strip())))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ValidationError(f"找不到编号为“{ref}”的问题（rectify finding list 查看）")
    options = "、".join(f"{session.get(Source, f.source_id).doc_number or session.get(Source, f.source_id).title}:{f.number}"
                       for f in matches)
    raise ValidationError(f"编号“{ref}”对应多个来源的问题：{options}，请写成“文号:编号”")
