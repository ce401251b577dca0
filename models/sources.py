"""Sources of findings (问题来源)."""
from datetime import date, datetime

from sqlmodel import Session, select

from models.errors import ValidationError
from models.ledger import Source
from models.vocab import SourceKind, parse_choice


def add_source(session: Session, *, title: str, kind: str, doc_number: str | None, issuer: str | None,
               issued_on: date | None, now: datetime, advice: str | None = None) -> Source:
    title = title.strip()
    if not title:
        raise ValidationError("来源名称不能为空")
    if session.exec(select(Source).where(Source.title == title)).first():
        raise ValidationError(f"问题来源“{title}”已存在")
    source = Source(kind=parse_choice(SourceKind, kind, "来源类型"), title=title, doc_number=doc_number,
                    issuer=issuer, issued_on=issued_on, advice=advice, created_at=now)
    session.add(source)
    session.flush()
    return source
