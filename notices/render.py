"""Render notices from templates, and split long ones to fit a channel.

Template lookup for kind K in format F (first found wins, override folder
before the built-in templates):
  K.F.j2   a complete template for one kind in one format
  K.j2     the kind's wording, extending _layout.j2
The look of each format (headings, emphasis, how a finding is listed) is
in _fmt.F.j2; a coordinator can override any of these files by dropping
one with the same name into the override folder.

Formats: text, wecom_md, dingtalk_md, feishu_post (body is the post
content as JSON), email (body is HTML, `text` the plain alternative).
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import jinja2

from models.errors import ValidationError
from notices.context import KINDS, Attachment, Contact, NoticeContext, NoticeItem, Recipient

BUILTIN_DIR = Path(__file__).parent / "templates"
FORMATS = ("text", "wecom_md", "dingtalk_md", "feishu_post", "email")

# Most pressing first: the digest lists its groups in this order.
STEP_ORDER = ("referral", "circular", "interview", "supervise", "urge", "reminder",
              "signoff_returned", "extension_decision", "signoff_closed", "report_delivery")
STEP_LABELS = {
    "referral": "拟问责移送事项",
    "circular": "已通报事项",
    "interview": "约谈事项",
    "supervise": "督办事项",
    "urge": "逾期未整改事项",
    "reminder": "即将到期事项",
    "signoff_returned": "销号申请被退回事项",
    "extension_decision": "延期审批事项",
    "signoff_closed": "已销号事项",
    "report_delivery": "报告送达事项",
}
CN_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Mentions:
    """Who to @ on each vendor; channels use the ids their vendor understands."""

    mobiles: tuple[str, ...] = ()
    wecom_userids: tuple[str, ...] = ()
    dingtalk_userids: tuple[str, ...] = ()
    feishu_open_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class RenderedMessage:
    kind: str
    fmt: str
    subject: str
    body: str
    recipient: Recipient
    text: str | None = None  # plain-text alternative of an e-mail body
    attachments: tuple[Attachment, ...] = ()
    part: int = 1
    parts: int = 1
    # Others to @ besides the addressee: a digest sent to a unit's group names
    # every person concerned (context.extra["mentions"]).
    also_mention: tuple[Recipient, ...] = ()

    @property
    def mentions(self) -> Mentions:
        people = (self.recipient, *self.also_mention)

        def ids(attribute: str) -> tuple[str, ...]:
            return tuple(dict.fromkeys(v for p in people if (v := getattr(p, attribute))))

        return Mentions(ids("mobile"), ids("wecom_userid"), ids("dingtalk_userid"), ids("feishu_open_id"))


# ---- filters -------------------------------------------------------------

def _as_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def cn_date(value) -> str:
    d = _as_date(value)
    return f"{d.year}年{d.month}月{d.day}日" if d else "未设定"


def cn_datetime(value) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    if not isinstance(value, datetime):
        return cn_date(value)
    return f"{cn_date(value)}{value.hour}时{value.minute:02d}分" if value.minute else f"{cn_date(value)}{value.hour}时"


def days_text(item: NoticeItem) -> str:
    n = item.days_left
    if n is None:
        return ""
    if n > 0:
        return f"剩余{n}天"
    return "今日到期" if n == 0 else f"已逾期{-n}天"


def by_date(value) -> str:
    return f"于{cn_date(value)}前" if _as_date(value) else "尽快"


def cn_num(n: int) -> str:
    """1..99 as Chinese numerals, for headings like 一、 and （十二）."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def group_by_step(items: Sequence[NoticeItem]) -> list[tuple[str, list[NoticeItem]]]:
    groups: dict[str, list[NoticeItem]] = {}
    for it in items:
        groups.setdefault(it.step, []).append(it)
    rank = {s: i for i, s in enumerate(STEP_ORDER)}
    return sorted(groups.items(), key=lambda kv: rank.get(kv[0], len(rank)))


def group_by_unit(items: Sequence[NoticeItem]) -> list[tuple[str, list[NoticeItem]]]:
    groups: dict[str, list[NoticeItem]] = {}
    for it in items:
        groups.setdefault(it.unit, []).append(it)
    return list(groups.items())


def contact_line(c: Contact) -> str:
    parts = [f"联系人：{c.name}" + (f"（{c.office}）" if c.office else "")]
    if c.phone:
        parts.append(f"联系电话：{c.phone}")
    if c.email:
        parts.append(f"电子邮箱：{c.email}")
    return "，".join(parts) + "。"


FAILURE_STATES = {"dead": "已转入死信", "uncertain": "送达情况不明", "retry": "等待重试"}


def failure_line(r: dict) -> str:
    code = f"{r['errcode']} " if r.get("errcode") is not None else ""
    state = FAILURE_STATES.get(r.get("state"), r.get("state") or "发送失败")
    return (f"{r.get('recipient', '未记录')}（{r.get('channel', '未知渠道')}），{kind_name(r.get('kind'))}："
            f"{state}，已尝试{r.get('attempts', 1)}次，错误：{code}{r.get('errmsg', '')}")


def shared_demand(items: Sequence[NoticeItem]) -> str | None:
    """The demand every item of a group shares (a digest prints it once, under the heading)."""
    demands = {it.demand for it in items}
    return demands.pop() if len(demands) == 1 and None not in demands and "" not in demands else None


def compact_items(items: Sequence[NoticeItem], unit: str, shared: str | None) -> list[NoticeItem]:
    """Items without what the reader already has: their own unit's name, the group's shared
    demand. A 20-item digest then fits one WeCom markdown message instead of two."""
    return [replace(it, unit="" if it.unit == unit else it.unit, demand="" if shared else it.demand)
            for it in items]


def sentence(text) -> str:
    """Close a free-text reason with 。 unless it already ends a sentence."""
    text = str(text or "").strip()
    return text if not text or text[-1] in "。！？.!?；;" else text + "。"


def kind_name(kind) -> str:
    return KINDS.get(kind, kind or "未知类型")


# ---- environments ---------------------------------------------------------

@lru_cache(maxsize=64)
def _environment(env_fmt: str, override_dir: str | None) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(override_dir)] if override_dir else []
    loaders.append(jinja2.FileSystemLoader(str(BUILTIN_DIR)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=env_fmt == "html",
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        cn_date=cn_date, cn_datetime=cn_datetime, days_text=days_text, by_date=by_date, cn_num=cn_num,
        group_by_step=group_by_step, group_by_unit=group_by_unit, step_label=STEP_LABELS.get,
        contact_line=contact_line, failure_line=failure_line, kind_name=kind_name, sentence=sentence,
        shared_demand=shared_demand, compact_items=compact_items,
    )
    return env


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _render_one(env_fmt: str, context: NoticeContext, override_dir, part_label: str) -> tuple[str, str]:
    env = _environment(env_fmt, str(override_dir) if override_dir else None)
    kind = context.kind
    try:
        template = env.select_template([f"{kind}.{env_fmt}.j2", f"{kind}.j2"])
        variables = {
            "layout": "_layout.j2",
            "f": env.get_template(f"_fmt.{env_fmt}.j2").module,
            "kind": kind,
            "recipient": context.recipient,
            "office": context.office,
            "issued_on": context.issued_on,
            "items": list(context.items),
            "contact": context.contact,
            "respond_by": context.respond_by,
            "doc_number": context.doc_number,
            "extra": context.extra,
            "attachments": list(context.attachments),
            "part_label": part_label,
        }
        title_block = template.blocks.get("title")
        title = "".join(title_block(template.new_context(variables))).strip() if title_block else KINDS[kind]
        subject = title + part_label
        body = template.render(variables, subject=subject)
    except Exception as exc:  # a coordinator's override can fail in any way; say which template
        raise ValidationError(f"通知模板“{kind}”（{env_fmt}）渲染失败：{exc}") from exc
    return subject, body


def _feishu_post(subject: str, body: str) -> str:
    paragraphs, blank = [], False
    for line in body.splitlines():
        if not line.strip():
            if paragraphs and not blank:
                paragraphs.append([{"tag": "text", "text": ""}])
            blank = True
            continue
        paragraphs.append([{"tag": "text", "text": line}])
        blank = False
    return json.dumps({"zh_cn": {"title": subject, "content": paragraphs}}, ensure_ascii=False)


def render(kind: str, fmt: str, context: NoticeContext, override_dir: str | Path | None = None,
           *, part: int = 1, parts: int = 1, _label: str | None = None) -> RenderedMessage:
    """Render one message. `kind` must match the context (kept explicit so a caller
    cannot render a stored context as something else by accident)."""
    if kind != context.kind:
        raise ValidationError(f"通知类型不一致：要求“{kind}”，内容为“{context.kind}”")
    if fmt not in FORMATS:
        raise ValidationError(f"未知的通知格式“{fmt}”，可选：{'、'.join(FORMATS)}")
    label = _label if _label is not None else (f"（第{part}/{parts}部分）" if parts > 1 else "")
    text = None
    if fmt == "email":
        subject, body = _render_one("html", context, override_dir, label)
        text = _tidy(_render_one("text", context, override_dir, label)[1])
    else:
        subject, body = _render_one(fmt, context, override_dir, label)
        body = _tidy(body)
        if fmt == "feishu_post":
            body = _feishu_post(subject, body)
    others = tuple(Recipient.from_dict(m) for m in context.extra.get("mentions", ()))
    return RenderedMessage(kind=kind, fmt=fmt, subject=subject, body=body, recipient=context.recipient,
                           text=text, attachments=context.attachments if part == 1 else (),
                           part=part, parts=parts, also_mention=others)


# ---- splitting -----------------------------------------------------------

def body_bytes(msg: RenderedMessage) -> int:
    return len(msg.body.encode("utf-8"))


# The rows a message is split by: findings, or the failure lines of a summary.
# Digests and circulars print findings grouped; packing them in group order
# keeps each group together instead of repeating it in every part.
def _rows(context: NoticeContext) -> list:
    if context.kind == "failure_summary":
        return list(context.extra["failures"])
    if context.kind == "digest":
        return [it for _, group in group_by_step(context.items) for it in group]
    if context.kind == "circular":
        return [it for _, group in group_by_unit(context.items) for it in group]
    return list(context.items)


def _with_rows(context: NoticeContext, rows: list) -> NoticeContext:
    if context.kind == "failure_summary":
        return replace(context, extra={**context.extra, "failures": list(rows)})
    return context.with_items(rows)


def _shrinkable(row) -> tuple[str, ...]:
    return ("errmsg",) if isinstance(row, dict) else ("summary", "demand")


def _cut(row, field: str, keep: int):
    value = row[field] if isinstance(row, dict) else getattr(row, field)
    if keep >= len(value):
        return row
    short = value[:keep] + "……"
    return {**row, field: short} if isinstance(row, dict) else replace(row, **{field: short})


def split_for_channel(kind: str, fmt: str, context: NoticeContext, limit: int | None, *,
                      size: Callable[[RenderedMessage], int] = body_bytes,
                      override_dir: str | Path | None = None) -> list[RenderedMessage]:
    """Render `context` as one or more messages each within `limit` (as measured by `size`,
    which a channel supplies so that mentions and envelopes are counted).

    Parts break between findings, never inside one, and are titled （第i/n部分）.
    A single finding too long on its own has its summary (then its demand)
    shortened with "……" rather than being split across messages.
    """
    whole = render(kind, fmt, context, override_dir)
    if limit is None or size(whole) <= limit:
        return [whole]
    rows = _rows(context)
    # Measure with the longest label any part can get, so the final labels only shrink.
    worst = f"（第{len(rows)}/{len(rows)}部分）"

    def fits(subset) -> bool:
        return size(render(kind, fmt, _with_rows(context, subset), override_dir, _label=worst)) <= limit

    def shrink(row):
        for field in _shrinkable(row):
            if fits([row]):
                return row
            full = len(getattr(row, field) if not isinstance(row, dict) else row[field])
            lo, hi = 0, full  # largest keep that fits, by bisection (fits is monotone in keep)
            if not fits([_cut(row, field, 0)]):
                row = _cut(row, field, 0)
                continue
            while lo < hi:
                mid = (lo + hi + 1) // 2
                lo, hi = (mid, hi) if fits([_cut(row, field, mid)]) else (lo, mid - 1)
            return _cut(row, field, lo)
        if fits([row]):
            return row
        raise ValidationError(f"“{KINDS[kind]}”的格式内容超过渠道上限（{limit} 字节），无法拆分发送")

    groups: list[list] = []
    current: list = []
    for row in rows:
        if current and fits(current + [row]):
            current.append(row)
            continue
        if current:
            groups.append(current)
        current = [shrink(row)]
    if current:
        groups.append(current)
    if not groups:
        raise ValidationError(f"“{KINDS[kind]}”的格式内容超过渠道上限（{limit} 字节），无法拆分发送")
    n = len(groups)
    return [render(kind, fmt, _with_rows(context, g), override_dir, part=i, parts=n)
            for i, g in enumerate(groups, 1)]
