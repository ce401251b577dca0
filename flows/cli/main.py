"""The `rectify` command. Sub-commands live in one module per area."""
import typer

from flows.cli.escalation_cmds import (
    circular_app, interview_app, penalty_app, policy_app, referral_app, sweep_command,
)
from flows.cli.finding_cmds import finding_app
from flows.cli.history_cmds import history_app
from flows.cli.ledger_cmds import ledger_app
from flows.cli.outbox_cmds import dispatch_command, outbox_app
from flows.cli.report_cmds import report_app
from flows.cli.report_import_cmds import import_report_command
from flows.cli.run_cmds import demo_command, run_command
from flows.cli.setup_cmds import category_app, db_app, person_app, source_app, unit_app

app = typer.Typer(
    name="rectify",
    help="""整改跟踪机器人：登记审计/检查发现的问题，跟踪整改、催办督办、销号。

\b
常用示例：
  rectify db init                                   初始化（生成配置、创建数据库）
  rectify ledger import 台账.xlsx --source 云审报〔2021〕22号 --as 王主任 --dry-run
  rectify finding list --overdue                    查看逾期未销号的问题
  rectify finding submit 2-3 --as 李科长 --result 已全部退回
  rectify finding approve 2-3 --as 张局长
  rectify finding history 2-3                       办理记录时间线
  rectify history verify                            校验记录是否被篡改
  rectify run                                       启动内置调度（定时督办、发送通知）
  rectify demo                                      演示：模拟 90 天的整改跟踪
""",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(source_app, name="source")
app.add_typer(unit_app, name="unit")
app.add_typer(person_app, name="person")
app.add_typer(category_app, name="category")
app.add_typer(finding_app, name="finding")
app.add_typer(ledger_app, name="ledger")
app.command("import-report")(import_report_command)
app.add_typer(history_app, name="history")
app.command("sweep")(sweep_command)
app.add_typer(policy_app, name="policy")
app.add_typer(interview_app, name="interview")
app.add_typer(circular_app, name="circular")
app.add_typer(referral_app, name="referral")
app.add_typer(penalty_app, name="penalty")
app.add_typer(report_app, name="report")
app.add_typer(outbox_app, name="outbox")
app.command("dispatch")(dispatch_command)
app.command("run")(run_command)
app.command("demo")(demo_command)


def main():
    app()


if __name__ == "__main__":
    main()
