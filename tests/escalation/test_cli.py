"""The coordinator's commands: policy show/explain, one sweep by hand, and
the formal records it leaves (interviews, circulars, referrals), penalties."""
from datetime import date

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from flows.cli.main import app
from models.outbox import Notice
from notices.context import NoticeContext
from notices.render import render


@pytest.fixture
def rectify(ledger, engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = {"RECTIFY_DATABASE_URL": engine.url.render_as_string(hide_password=False), "RECTIFY_CONFIG": "",
           "COLUMNS": "250"}  # a wide terminal: rich tables neither wrap nor cut cells

    def run(*args, ok=True):
        result = runner.invoke(app, list(args), env=env)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    return run


def test_policy_show_and_explain(rectify, ledger, tmp_path):
    ledger.add("2-3", date(2026, 3, 10))
    output = rectify("policy", "show")
    for words in ("默认规则（内置默认规则）", "到期前7天提醒", "逾期3个工作日", "约谈记录", "问责移送记录", "单位负责人"):
        assert words in output
    (tmp_path / "督办规则.toml").write_text('[unit."县新农合办公室"]\nsteps.interview.after = 10\n', encoding="utf-8")
    (tmp_path / "rectify.toml").write_text('[policy]\nfile = "督办规则.toml"\n', encoding="utf-8")
    output = rectify("policy", "show")
    assert '单位“县新农合办公室”的专门规则（[unit."县新农合办公室"]）' in output and "逾期10个自然日" in output
    output = rectify("policy", "explain", "2-3", "--now", "2026-03-19")
    assert "已逾期 9 个自然日" in output and "当前应处于：督办" in output and "下一步：约谈，将于2026年3月20日达到" in output
    (tmp_path / "督办规则.toml").write_text('[unit."县新农合办公室"]\nsteps.interview.after = "十"\n', encoding="utf-8")
    output = rectify("policy", "show", ok=False)
    assert "steps.interview.after 应为正整数" in output


def test_sweep_and_the_records_it_leaves(rectify, ledger, engine):
    ledger.add("2-3", date(2026, 3, 1))
    ledger.add("2-4", date(2026, 3, 10))
    ledger.add("6-1", date(2026, 3, 10), lead_unit="县财政局", co_units=())
    output = rectify("sweep", "--now", "2026-04-01")
    assert "新生成督办事项 3 项：通报 2、问责移送 1" in output
    assert "通报 #1（待印发）：列入 县新农合办公室、县财政局" in output
    assert "问责移送 #1：问题 2-3" in output
    assert "没有新的到期提醒或督办事项" in rectify("sweep", "--now", "2026-04-01 15:00")

    # 约谈: a later finding reaches it; the coordinator arranges it and the notice is queued.
    ledger.add("2-5", date(2026, 3, 25))
    assert "约谈 #1：问题 2-5 列入约谈" in rectify("sweep", "--now", "2026-04-01 16:00")
    listing = rectify("interview", "list")
    assert "县新农合办公室" in listing and "赵主任" in listing and "待安排" in listing
    assert "仅限整改办、分管领导" in rectify("interview", "schedule", "1", "--at", "2026-04-03 09:30", "--place", "会议室",
                                       "--by", "刘局长", "--as", "李干事", "--now", "2026-04-01", ok=False)
    output = rectify("interview", "schedule", "1", "--at", "2026-04-03 09:30", "--place", "县医保局三楼会议室",
                     "--by", "县医保局分管副局长 刘局长", "--as", "王主任", "--now", "2026-04-01 17:00")
    assert "约谈通知已进入发送队列" in output
    with Session(engine) as session:
        notice = session.exec(select(Notice).where(Notice.kind == "interview")).one()
    message = render("interview", "text", NoticeContext.from_dict(notice.data))
    assert "县医保局三楼会议室" in message.body and "2026年4月3日9时30分" in message.body and "2-5" in message.body
    assert "已完成" in rectify("interview", "complete", "1", "--comment", "单位负责人作出书面检查，承诺4月底前整改到位",
                             "--as", "刘局长", "--now", "2026-04-03 11:00")
    assert "不能取消" in rectify("interview", "cancel", "1", "--comment", "重复", "--as", "王主任", ok=False)
    assert "已完成" in rectify("interview", "list", "--all")

    # 通报: issued, sent to the units named; the next 通报 goes into a new circular.
    assert "2-4" in rectify("circular", "list") and "6-1" in rectify("circular", "list")
    assert "已印发" in rectify("circular", "issue", "1", "--doc-number", "X医保整改通〔2026〕2号", "--as", "王主任",
                            "--now", "2026-04-02")
    with Session(engine) as session:
        circulars = session.exec(select(Notice).where(Notice.kind == "circular")).all()
    assert {NoticeContext.from_dict(n.data).recipient.unit for n in circulars} == {"县新农合办公室", "县财政局"}
    assert "没有待印发的通报" in rectify("circular", "list")
    assert "通报 #2（待印发）：列入 县新农合办公室" in rectify("sweep", "--now", "2026-04-09")

    # 问责移送: listed with the history kept; completed with a comment and who did it.
    listing = rectify("referral", "list")
    assert "2-3" in listing and "待移送" in listing
    assert "已移送" in rectify("referral", "complete", "1", "--comment", "已移送县纪委监委第三纪检监察室",
                            "--as", "王主任", "--now", "2026-04-10")
    assert "不能再办理" in rectify("referral", "cancel", "1", "--comment", "误报", "--as", "王主任", ok=False)
    history = rectify("finding", "history", "2-3")
    for words in ("拟问责移送", "问责移送", "已移送县纪委监委第三纪检监察室", "记录链校验：完整"):
        assert words in history
    history = rectify("finding", "history", "2-4")
    for words in ("列入通报", "印发通报", "X医保整改通〔2026〕2号", "记录链校验：完整"):
        assert words in history


def test_penalty_commands(rectify, ledger):
    ledger.add("2-3", date(2026, 3, 1), amount="71100")
    output = rectify("penalty", "add", "--party", "县人民医院", "--article", "38", "--measure", "罚款",
                     "--amount", "15万", "--finding", "2-3", "--as", "王主任", "--now", "2026-05-10", ok=False)
    assert "罚款 150,000.00 元超出条例第38条的法定幅度：71,100.00–142,200.00 元（基金损失金额 71,100.00 元的 1–2 倍）" in output
    output = rectify("penalty", "add", "--party", "县人民医院", "--article", "38", "--measure", "罚款",
                     "--amount", "10.665万", "--finding", "2-3", "--doc-number", "X医保罚〔2026〕1号",
                     "--as", "王主任", "--now", "2026-05-10")
    assert "已登记处理决定 1：县人民医院，依据条例第38条，罚款 106,650.00 元" in output
    rectify("penalty", "add", "--party", "县人民医院", "--article", "38", "--measure", "暂停服务", "--months", "6",
            "--as", "刘局长", "--now", "2026-05-10")
    assert "未收缴 46,650.00 元" in rectify("penalty", "collect", "1", "--amount", "60000", "--on", "2026-05-10",
                                          "--as", "王主任", "--now", "2026-05-10")
    listing = rectify("penalty", "list")
    assert "合计：决定金额 106,650.00 元，已收缴 60,000.00 元，未收缴 46,650.00 元" in listing
    assert "6个月" in listing
