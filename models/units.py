"""Units, people and categories: the reference data findings point to."""
from datetime import datetime

from sqlmodel import Session, select

from models.errors import ValidationError
from models.ledger import Category, Person, Unit
from models.registration import guess_unit_kind
from models.vocab import Role, UnitKind, parse_choice


def _unit_by_name(session: Session, name: str) -> Unit:
    unit = session.exec(select(Unit).where(Unit.name == name.strip())).first()
    if unit is None:
        raise ValidationError(f"单位“{name}”不存在（rectify unit add 新增）")
    return unit


def add_unit(session: Session, *, name: str, kind: str | None, parent: str | None, email: str | None,
             wecom_robot: str | None, dingtalk_robot: str | None, feishu_robot: str | None, now: datetime) -> Unit:
    name = name.strip()
    if not name:
        raise ValidationError("单位名称不能为空")
    if session.exec(select(Unit).where(Unit.name == name)).first():
        raise ValidationError(f"单位“{name}”已存在")
    unit = Unit(
        name=name, kind=parse_choice(UnitKind, kind, "单位类型") if kind else guess_unit_kind(name),
        parent_id=_unit_by_name(session, parent).id if parent else None, email=email,
        wecom_robot=wecom_robot, dingtalk_robot=dingtalk_robot, feishu_robot=feishu_robot, created_at=now,
    )
    session.add(unit)
    session.flush()
    return unit


def add_person(session: Session, *, name: str, unit: str, role: str, mobile: str | None = None,
               wecom_userid: str | None = None, email: str | None = None) -> Person:
    home = _unit_by_name(session, unit)
    name = name.strip()
    if not name:
        raise ValidationError("姓名不能为空")
    if session.exec(select(Person).where(Person.unit_id == home.id, Person.name == name)).first():
        raise ValidationError(f"{home.name}已有名为“{name}”的人员")
    person = Person(name=name, unit_id=home.id, role=parse_choice(Role, role, "角色"), mobile=mobile,
                    wecom_userid=wecom_userid, email=email)
    session.add(person)
    session.flush()
    return person


def add_category(session: Session, name: str, article: int | None) -> Category:
    name = name.strip()
    if not name:
        raise ValidationError("类别名称不能为空")
    if session.exec(select(Category).where(Category.name == name)).first():
        raise ValidationError(f"问题类别“{name}”已存在")
    category = Category(name=name, article=article, builtin=False)
    session.add(category)
    session.flush()
    return category
