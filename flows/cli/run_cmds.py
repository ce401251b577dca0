"""Running the bot: the embedded scheduler and the demo."""
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.common import NowOption, handles_errors, parse_now


@handles_errors
def run_command(now: NowOption = None):
    """启动内置调度（单进程）：按配置 [schedule] 定时执行督办扫描、发送通知、每日汇总、定期报告。

    同一数据库只能有一个调度进程（已运行时拒绝启动）。启动时先补做一次督办扫描和发送，
    停机期间错过的提醒只补当前应发的一步，不会重复发送。按 Ctrl+C 停止。
    指定 --now 时，调度使用从该时间开始、按真实速度走的模拟时钟（用于演练）。
    """
    import logging

    from flows.embedded import run_embedded
    from models.settings import load_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S")
    run_embedded(load_settings(), start=parse_now(now) if now else None)


@handles_errors
def demo_command(
    folder: Annotated[Path, typer.Option("--dir", help="演示目录（新建；若是之前的演示目录则清空重来）")] = Path("demo-output"),
    days: Annotated[int, typer.Option("--days", help="模拟天数")] = 90,
):
    """演示：在全新的 SQLite 数据库上导入一份真实审计报告的问题，模拟 90 天的提醒、督办、销号和问责，
    并把通知、文书和台账留在演示目录中供查看。"""
    from flows.demo import run_demo

    run_demo(folder, typer.echo, days)
