import json
from dataclasses import replace
from datetime import date

import pytest

from tests.fakes.samples import CONTACT, context, item
from models.errors import ValidationError
from notices.context import KINDS, NoticeContext
from notices.render import FORMATS, render


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_kind_renders_in_every_format_after_a_json_round_trip(kind, fmt):
    ctx = context(kind)
    stored = NoticeContext.from_json(ctx.to_json())
    assert stored.to_dict() == ctx.to_dict()
    msg = render(kind, fmt, stored)
    assert msg.subject == render(kind, fmt, ctx).subject
    assert msg.body == render(kind, fmt, ctx).body
    assert KINDS[kind] in msg.subject or kind == "circular"
    text = msg.text if fmt == "email" else msg.body
    assert "区医疗保障基金整改工作领导小组办公室" in text
    assert "2026年4月5日" in text                      # the issue date, not today's
    assert CONTACT.phone in text
    if kind not in ("failure_summary", "dead_letter_alert"):
        assert "2026-001" in text and "区人民医院" in text or "县中医院" in text
        assert "2026年4月" in text                      # deadlines printed the Chinese way


def test_urge_names_finding_deadline_overdue_days_demand_and_contact():
    ctx = context("urge", items=[item(3, step="urge")])  # deadline 2026-04-03, 2 days overdue
    text = render("urge", "text", ctx).body
    assert "【2026-003】医保经办机构内控制度不健全，待遇审核岗位未分离" in text
    assert "整改时限：2026年4月3日（已逾期2天）" in text
    assert "整改要求：追回违规资金" in text
    assert "请你单位高度重视，于2026年4月10日前完成整改" in text
    assert "联系人：李华（区医保基金整改办），联系电话：0797-4412345" in text
    assert text.rstrip().endswith("区医疗保障基金整改工作领导小组办公室\n2026年4月5日")
    assert "特此通知。" in text


def test_days_left_wording():
    texts = [render("reminder", "text", context("reminder", items=[item(i)])).body for i in (1, 2, 5)]
    assert "剩余6天" in texts[0] and "剩余2天" in texts[1] and "剩余10天" in texts[2]
    overdue = render("reminder", "text", context("reminder", items=[item(4)])).body
    assert "已逾期6天" in overdue
    no_deadline = context("reminder", items=[replace(item(1), deadline=None, days_left=None)])
    assert "整改时限：未设定" in render("reminder", "text", no_deadline).body


def test_digest_groups_items_most_pressing_first():
    ctx = context("digest", 5)
    text = render("digest", "text", ctx).body
    headings = [line for line in text.splitlines() if "事项（" in line]
    assert headings == ["一、约谈事项（1项）", "二、督办事项（1项）", "三、逾期未整改事项（2项）", "四、即将到期事项（1项）"]


def test_formats_use_their_markup():
    ctx = context("urge", items=[item(4)])
    assert '<font color="warning">已逾期6天</font>' in render("urge", "wecom_md", ctx).body
    assert "<font color=#FF0000>已逾期6天</font>" in render("urge", "dingtalk_md", ctx).body
    post = json.loads(render("urge", "feishu_post", ctx).body)
    assert post["zh_cn"]["title"] == "整改催办通知"
    lines = ["".join(e["text"] for e in p) for p in post["zh_cn"]["content"]]
    assert "1. 【2026-004】乡镇卫生院挂床住院，虚增住院天数" in lines
    mail = render("urge", "email", ctx)
    assert mail.body.startswith("<!DOCTYPE html>") and "<td>2026-004</td>" in mail.body
    assert "【2026-004】" in mail.text and "<" not in mail.text


def test_html_escapes_what_users_typed():
    ctx = context("signoff_returned", extra={"reason": "<script>alert(1)</script> 缺凭证"})
    body = render("signoff_returned", "email", ctx).body
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_override_folder_replaces_wording_or_one_format(tmp_path):
    (tmp_path / "urge.j2").write_text(
        '{% extends layout %}{% block title %}催办函{% endblock %}'
        '{% block opening %}请{{ recipient.unit }}抓紧整改以下问题：{% endblock %}', encoding="utf-8")
    (tmp_path / "reminder.text.j2").write_text("提醒：{{ items|length }}项，{{ respond_by|by_date }}办结。",
                                               encoding="utf-8")
    urge = render("urge", "wecom_md", context("urge"), override_dir=tmp_path)
    assert urge.subject == "催办函" and "请区卫健委抓紧整改以下问题：" in urge.body and "**1. 2026-001**" in urge.body
    assert render("reminder", "text", context("reminder"), override_dir=tmp_path).body == "提醒：2项，于2026年4月10日前办结。\n"
    # Other formats of reminder keep the built-in template.
    assert "整改到期提醒" in render("reminder", "wecom_md", context("reminder"), override_dir=tmp_path).body


def test_override_with_a_template_error_is_reported_in_chinese(tmp_path):
    (tmp_path / "urge.j2").write_text("{% extends layout %}{% block title %}{{ 1/0 }}{% endblock %}", encoding="utf-8")
    with pytest.raises(ValidationError, match="通知模板“urge”.*渲染失败"):
        render("urge", "text", context("urge"), override_dir=tmp_path)


def test_kind_specific_fields_are_required():
    with pytest.raises(ValidationError, match="约谈通知.*缺少附加字段：interview_at、place、interviewer"):
        context("interview", extra={})
    with pytest.raises(ValidationError, match="未知的通知类型"):
        context("warning")
    with pytest.raises(ValidationError, match="通知类型不一致"):
        render("urge", "text", context("reminder"))
    with pytest.raises(ValidationError, match="未知的通知格式"):
        render("urge", "sms", context("urge"))


def test_interview_and_extension_wording():
    interview = render("interview", "text", context("interview")).body
    assert "定于2026年4月15日9时30分在区医保局三楼会议室，由区整改工作领导小组副组长约谈你单位主要负责人" in interview
    refused = render("extension_decision", "text",
                     context("extension_decision", extra={"approved": False, "reason": "理由不充分"})).body
    assert "不予同意，原整改时限不变。审批意见：理由不充分。" in refused
    approved = render("extension_decision", "text", context("extension_decision")).body
    assert "同意延期至2026年6月30日" in approved


def test_context_dates_in_extra_survive_json():
    ctx = context("extension_decision")
    data = json.loads(ctx.to_json())
    assert data["extra"]["new_deadline"] == "2026-06-30"
    assert NoticeContext.from_dict(data).respond_by == date(2026, 4, 10)
    with pytest.raises(ValidationError, match="未知字段"):
        NoticeContext.from_dict({**data, "colour": "red"})
