"""Verifying that no finding's history was altered."""
from typing import Annotated, Optional

import typer

from flows.cli.common import fail, handles_errors, open_app

history_app = typer.Typer(help="办理记录：校验记录链是否被篡改", no_args_is_help=True)


@history_app.command("verify")
@handles_errors
def history_verify(ref: Annotated[Optional[str], typer.Argument(help="只校验这条问题（默认全部）")] = None):
    """逐条重算办理记录的哈希链；发现被改动或删除的记录时报告并以非零状态退出。"""
    from models.db import transaction
    from models.history import verify_all
    from models.ledger import Finding
    from models.lookup import find_finding

    with open_app() as app, transaction(app.engine) as session:
        ids = [find_finding(session, ref).id] if ref else None
        checked, breaks = verify_all(session, ids)
        numbers = {b.finding_id: session.get(Finding, b.finding_id).number for b in breaks}
    if breaks:
        for broken in breaks:
            typer.echo(f"问题 {numbers[broken.finding_id]}：{broken.problem}", err=True)
        fail(f"记录链校验未通过：{len(breaks)} 条问题的记录被改动或删除")
    typer.echo(f"记录链校验通过：共校验 {checked} 条办理记录。")
