"""Setting up: the database, sources, units, people and categories."""
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli.common import NowOption, handles_errors, open_app, parse_day, parse_now, table

db_app = typer.Typer(help="数据库：初始化、升级、查看版本", no_args_is_help=True)
source_app = typer.Typer(help="问题来源（审计、飞行检查、专项治理……）", no_args_is_help=True)
unit_app = typer.Typer(help="单位：牵头单位、配合单位、被检查的两定机构", no_args_is_help=True)
person_app = typer.Typer(help="人员与角色、联系方式", no_args_is_help=True)
category_app = typer.Typer(help="问题类别（条例规定的违规类型，可扩充）", no_args_is_help=True)

CONFIG_TEMPLATE = """\
# Rectify 配置文件。数据库地址也可由环境变量 RECTIFY_DATABASE_URL 指定。
[database]
url = "sqlite:///rectify.db"
# url = "postgresql://rectify@127.0.0.1:5432/rectify"

[calendar]
# 国务院公布次年节假日安排后、程序库更新前，在此文件中录入（见 docs/deadlines.md）
# override_file = "holidays-override.toml"
"""


@db_app.command("upgrade")
@handles_errors
def db_upgrade():
    """把数据库结构升级到本程序的版本（首次使用时创建）。升级不删除数据。"""
    from models.db import current_revision, head_revision, upgrade

    with open_app(check=False) as app:
        before = current_revision(app.engine)
        upgrade(app.engine)
        after = head_revision()
    if before == after:
        typer.echo(f"数据库已是最新版本（{after}），无需升级。")
    else:
        typer.echo(f"数据库已从 {before or '空库'} 升级到 {after}。")


@db_app.command("status")
@handles_errors
def db_status():
    """显示数据库地址与结构版本。"""
    from sqlalchemy.engine import make_url

    from models.db import current_revision, head_revision

    with open_app(check=False) as app:
        current = current_revision(app.engine)
        url = make_url(app.settings.database_url).render_as_string(hide_password=True)
    head = head_revision()
    typer.echo(f"数据库：{url}")
    typer.echo(f"结构版本：{current or '未初始化'}（程序需要 {head}）")
    if current != head:
        typer.echo("需要升级：rectify db upgrade")


@db_app.command("init")
@handles_errors
def db_init():
    """在当前目录生成 rectify.toml 配置样例（已存在则不覆盖），并创建数据库。"""
    config = Path("rectify.toml")
    if config.exists():
        typer.echo("rectify.toml 已存在，未改动。")
    else:
        config.write_text(CONFIG_TEMPLATE, encoding="utf-8")
        typer.echo("已生成配置文件 rectify.toml。")
    db_upgrade()


@source_app.command("add")
@handles_errors
def source_add(
    title: Annotated[str, typer.Argument(help="来源名称，如“XX县审计局新农合基金专项审计调查”")],
    kind: Annotated[str, typer.Option("--kind", help="审计、飞行检查、专项治理、巡察、自查自纠、日常稽核、智能监控、投诉举报")],
    doc_number: Annotated[Optional[str], typer.Option("--doc-number", help="文号，如 云审报〔2021〕22号")] = None,
    issuer: Annotated[Optional[str], typer.Option("--issuer", help="发文机关")] = None,
    issued_on: Annotated[Optional[str], typer.Option("--date", help="发文日期")] = None,
    now: NowOption = None,
):
    """登记一个问题来源。"""
    from models.db import transaction
    from models.sources import add_source

    with open_app() as app, transaction(app.engine) as session:
        source = add_source(session, title=title, kind=kind, doc_number=doc_number, issuer=issuer,
                            issued_on=parse_day(issued_on, "--date") if issued_on else None, now=parse_now(now))
        typer.echo(f"已登记问题来源：{source.title}（{source.kind}，编号 {source.id}）")


@source_app.command("list")
@handles_errors
def source_list():
    """列出问题来源。"""
    from sqlmodel import select

    from models.db import transaction
    from models.ledger import Source

    with open_app() as app, transaction(app.engine) as session:
        rows = [[s.id, s.kind, s.title, s.doc_number, s.issuer, s.issued_on] for s in session.exec(select(Source))]
    table("问题来源", ["编号", "类型", "名称", "文号", "发文机关", "日期"], rows)


@unit_app.command("add")
@handles_errors
def unit_add(
    name: Annotated[str, typer.Argument(help="单位全称")],
    kind: Annotated[Optional[str], typer.Option("--kind", help="行政部门、医保经办机构、定点医疗机构、定点零售药店、其他（默认按名称判断）")] = None,
    parent: Annotated[Optional[str], typer.Option("--parent", help="主管单位")] = None,
    email: Annotated[Optional[str], typer.Option("--email")] = None,
    wecom_robot: Annotated[Optional[str], typer.Option("--wecom-robot", help="企业微信群机器人名称（见配置 [channels]）")] = None,
    dingtalk_robot: Annotated[Optional[str], typer.Option("--dingtalk-robot", help="钉钉机器人名称")] = None,
    feishu_robot: Annotated[Optional[str], typer.Option("--feishu-robot", help="飞书机器人名称")] = None,
    now: NowOption = None,
):
    """新增单位。"""
    from models.db import transaction
    from models.units import add_unit

    with open_app() as app, transaction(app.engine) as session:
        unit = add_unit(session, name=name, kind=kind, parent=parent, email=email, wecom_robot=wecom_robot,
                        dingtalk_robot=dingtalk_robot, feishu_robot=feishu_robot, now=parse_now(now))
        typer.echo(f"已新增单位：{unit.name}（{unit.kind}，编号 {unit.id}）")


@unit_app.command("list")
@handles_errors
def unit_list():
    """列出单位。"""
    from sqlmodel import select

    from models.db import transaction
    from models.ledger import Unit

    with open_app() as app, transaction(app.engine) as session:
        units = list(session.exec(select(Unit).order_by(Unit.id)))
        names = {u.id: u.name for u in units}
        rows = [[u.id, u.name, u.kind, names.get(u.parent_id), u.email,
                 " ".join(filter(None, [u.wecom_robot, u.dingtalk_robot, u.feishu_robot]))] for u in units]
    table("单位", ["编号", "名称", "类型", "主管单位", "邮箱", "机器人"], rows)


@person_app.command("add")
@handles_errors
def person_add(
    name: Annotated[str, typer.Argument(help="姓名")],
    unit: Annotated[str, typer.Option("--unit", help="所在单位")],
    role: Annotated[str, typer.Option("--role", help="整改办、单位经办人、单位负责人、牵头单位审核人、分管领导、纪检监察")],
    mobile: Annotated[Optional[str], typer.Option("--mobile", help="手机号（用于群机器人 @ 提醒）")] = None,
    wecom_userid: Annotated[Optional[str], typer.Option("--wecom-userid", help="企业微信 userid")] = None,
    email: Annotated[Optional[str], typer.Option("--email")] = None,
):
    """新增人员。"""
    from models.db import transaction
    from models.units import add_person

    with open_app() as app, transaction(app.engine) as session:
        person = add_person(session, name=name, unit=unit, role=role, mobile=mobile,
                            wecom_userid=wecom_userid, email=email)
        typer.echo(f"已新增人员：{unit}/{person.name}（{person.role}，编号 {person.id}）")


@person_app.command("list")
@handles_errors
def person_list(unit: Annotated[Optional[str], typer.Option("--unit", help="只看某单位")] = None):
    """列出人员。"""
    from sqlmodel import select

    from models.db import transaction
    from models.ledger import Person, Unit

    with open_app() as app, transaction(app.engine) as session:
        query = select(Person, Unit).join(Unit, Unit.id == Person.unit_id).order_by(Person.id)
        if unit:
            query = query.where(Unit.name == unit)
        rows = [[p.id, p.name, u.name, p.role, p.mobile, p.wecom_userid, p.email] for p, u in session.exec(query)]
    table("人员", ["编号", "姓名", "单位", "角色", "手机", "企业微信", "邮箱"], rows)


@category_app.command("list")
@handles_errors
def category_list():
    """列出问题类别及对应的条例条款。"""
    from sqlmodel import select

    from models.db import transaction
    from models.ledger import Category

    with open_app() as app, transaction(app.engine) as session:
        rows = [[c.name, f"第{c.article}条" if c.article else "", "内置" if c.builtin else "自定义"]
                for c in session.exec(select(Category).order_by(Category.id))]
    table("问题类别", ["类别", "条例条款", "来源"], rows)


@category_app.command("add")
@handles_errors
def category_add(
    name: Annotated[str, typer.Argument(help="类别名称")],
    article: Annotated[Optional[int], typer.Option("--article", help="《医疗保障基金使用监督管理条例》条款号")] = None,
):
    """新增问题类别。"""
    from models.db import transaction
    from models.units import add_category

    with open_app() as app, transaction(app.engine) as session:
        category = add_category(session, name, article)
        typer.echo(f"已新增问题类别：{category.name}")


