"""What every command shares: options, the database context, error output.

Only typer is imported at module level: the domain (sqlmodel, 0.5 s) and
Prefect (1.3 s) are imported inside commands, so `rectify --help` stays fast.
"""
import functools
import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Optional

import typer

NowOption = Annotated[Optional[str], typer.Option(
    "--now", envvar="RECTIFY_NOW", help="当前时间（YYYY-MM-DD 或 'YYYY-MM-DD HH:MM'），默认取系统时间；可用于模拟演练",
)]
AsOption = Annotated[str, typer.Option("--as", help="操作人：姓名、“单位/姓名”或人员编号")]


def fail(message: str) -> None:
    typer.secho(f"错误：{message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def handles_errors(command):
    """Turn domain errors into a Chinese message and exit code 1 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from models.errors import RectifyError

        try:
            return command(*args, **kwargs)
        except RectifyError as exc:
            fail(str(exc))

    return wrapper


def parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now().replace(microsecond=0)
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(value.strip(), pattern)
        except ValueError:
            continue
        return parsed.replace(hour=9) if pattern == "%Y-%m-%d" else parsed
    fail(f"--now 的值“{value}”无法识别，应为 YYYY-MM-DD 或 'YYYY-MM-DD HH:MM'")


def parse_day(value: str, option: str) -> date:
    from integrations.values import parse_date
    from models.errors import ValidationError

    try:
        day = parse_date(value, default_year=date.today().year)
    except ValidationError as exc:
        fail(f"{option}：{exc}")
    if day is None:
        fail(f"{option} 不能为空")
    return day


@dataclass
class App:
    settings: object
    engine: object

    def calendar(self):
        from models.calendar import WorkCalendar

        return WorkCalendar(self.settings.path_setting("calendar", "override_file"))


@contextmanager
def open_app(check: bool = True):
    """Settings and engine for one command; refuses an unmigrated database."""
    from models.db import check_schema, make_engine
    from models.settings import load_settings

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        if check:
            check_schema(engine)
        yield App(settings, engine)
    finally:
        engine.dispose()


def console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=os.environ.get("RECTIFY_WRAP") != "1")


def table(title: str, columns: list[str], rows: list[list]) -> None:
    from rich.table import Table

    grid = Table(title=title, title_justify="left")
    for column in columns:
        grid.add_column(column)
    for row in rows:
        grid.add_row(*["" if cell is None else str(cell) for cell in row])
    console().print(grid)
