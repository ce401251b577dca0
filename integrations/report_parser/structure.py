"""The outline of a Chinese audit or inspection report, and its findings.

Levels, from the top (full-width and half-width forms alike):

- section: 一、基本情况 / 第二部分 …, classified by its heading (SectionKind);
- group: （一）财政部门存在的问题 / ㈠ …, usually one per audited body;
- item: 1、 / 1. (rank 3), （1） / 1) / ⑴ (rank 2), ① (rank 1).

Findings come from the sections about problems. Within a group, the
highest-ranked item style whose list starts at 1 marks the findings; lower
styles are sub-points and stay in the description. A group without items is
one finding: unnumbered under a body's heading ("财政部门存在的问题"), or the
group heading itself is the finding's title ("（一）违规收费"). A report without
a problems section is searched section by section, keeping only items that
read like findings (a citation, a directive, an amount or a problem word).
"""
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from integrations.report_parser import recognisers as rec
from integrations.report_parser.model import (
    Confidence, ParsedReport, ProposedFinding, ReportMetadata, Section, SectionKind,
)
from integrations.values import parse_chinese_int
from models.categories import SEED_CATEGORIES
from models.errors import ValidationError

_CN = "一二三四五六七八九十"
_SECTION = re.compile(rf"^(?P<n>[{_CN}]{{1,3}})\s*[、.]\s*(?P<t>\S.*)$")
_PART = re.compile(rf"^第(?P<n>[{_CN}]{{1,3}})(?:部分|章)\s*[、.:]?\s*(?P<t>.*)$")
# "一、二级医院…" is a sentence about hospital grades, not section 一.
_NOT_SECTION = re.compile(rf"^[{_CN}]+(?:级|类|等|是|要|方面|个|项|次)")
_KNOWN_SECTION = re.compile(r"基本情况|审计评价|实施情况|问题|原因|建议|意见|处理|评价|概况")
_SECTION_MAX = 40
_GROUP = re.compile(rf"^(?:\(\s*(?P<n>[{_CN}]{{1,3}})\s*\)|(?P<c>[㈠-㈩]))\s*[、.]?\s*(?P<t>.*)$")
_ITEMS = (
    (3, re.compile(r"^(?P<n>\d{1,3})\s*(?:、|\.(?!\d)|,(?!\d))\s*(?P<t>\S.*)$")),
    (2, re.compile(r"^(?:\(\s*(?P<n>\d{1,3})\s*\)|(?P<m>\d{1,3})\)|(?P<p>[⑴-⒇]))\s*(?P<t>.*)$")),
    (1, re.compile(r"^(?P<c>[①-⑳])\s*(?P<t>.*)$")),
)
_INLINE_HEADING = re.compile(r"[。:]")  # "五、审计建议：…" or "1、标题。正文"
_INLINE_MAX = 20
_CAUSE_HEADING = re.compile(r"原因(?:分析)?\s*:?$|原因:|原因分析")
_CAUSE_INTRO = re.compile(r"(?:以上|上述|这些|存在|的)问题的?(?:主要)?原因|^原因分析|^(?:主要)?原因如下")
_SIGNAL = re.compile(r"违规|违反|不符合|存在|未按|未执行|超标准|超范围|重复|虚|套取|骗取|不规范|不及时|不到位|问题")
_REPORT_WORDS = re.compile(r"审计|检查|巡察|巡视|稽核|核查|督查|督导|问题|整改|违规")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SENTENCE_BREAK = re.compile(r"[。;!?]")
_HEAD_BREAK = re.compile(r"[。:;!?]")  # "1、重复收费：该院…" has its title before the colon
_EDGE = 8  # lines at the top and the bottom searched for metadata


def _numeral(text: str) -> int | None:
    if text in "㈠㈡㈢㈣㈤㈥㈦㈧㈨㈩":
        return "㈠㈡㈢㈣㈤㈥㈦㈧㈨㈩".index(text) + 1
    if text in "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇":
        return ord(text) - ord("⑴") + 1
    if text in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        return ord(text) - ord("①") + 1
    return parse_chinese_int(text)


@dataclass(frozen=True)
class _Mark:
    rank: int  # 3, 2, 1 for items; 0 for a group
    number: int
    title_at: int  # where the title starts in the line


def _item_mark(line: str) -> _Mark | None:
    norm = rec.halfwidth(line)
    for rank, pattern in _ITEMS:
        if match := pattern.match(norm):
            digits = next(match[name] for name in ("n", "m", "p", "c") if name in match.re.groupindex and match[name])
            return _Mark(rank, _numeral(digits), match.start("t"))
    return None


def _group_mark(line: str) -> _Mark | None:
    if match := _GROUP.match(rec.halfwidth(line)):
        number = _numeral(match["n"] or match["c"])
        if number:
            return _Mark(0, number, match.start("t"))
    return None


def _section_mark(line: str) -> _Mark | None:
    norm = rec.halfwidth(line)
    match = _SECTION.match(norm) or _PART.match(norm)
    if not match or _NOT_SECTION.match(match["t"]):
        return None
    number = parse_chinese_int(match["n"])
    title = match["t"]
    if not number or not (len(title) <= _SECTION_MAX or _KNOWN_SECTION.match(title)):
        return None
    return _Mark(0, number, match.start("t"))


def section_kind(heading: str) -> SectionKind:
    """What a section is about, from its heading."""
    h = rec.halfwidth(heading)
    if "建议" in h and "问题" not in h:
        return SectionKind.ADVICE
    if "整改" in h and re.search(r"情况|落实|结果|进展", h):
        return SectionKind.FOLLOW_UP
    if re.search(r"问题|违规|违法|违纪|发现|不足|缺陷", h):
        return SectionKind.FINDINGS
    if re.search(r"基本情况|概况|简况|基本信息|背景", h):
        return SectionKind.BACKGROUND
    if "评价" in h:
        return SectionKind.EVALUATION
    if "原因" in h:
        return SectionKind.CAUSES
    if re.search(r"实施|范围|内容|方式|过程|依据|开展|组织", h):
        return SectionKind.CONDUCT
    if re.search(r"处理|处罚|意见|要求|决定", h):
        return SectionKind.DECISIONS
    return SectionKind.OTHER


@dataclass
class _Part:
    number: int
    heading: str
    kind: SectionKind
    lines: list[str] = field(default_factory=list)


def _split_inline(text: str) -> tuple[str, str]:
    """"审计建议：加强…" -> ("审计建议", "加强…"); a plain heading -> (heading, "")."""
    match = _INLINE_HEADING.search(rec.halfwidth(text))
    if match and match.start() <= _INLINE_MAX and match.end() < len(text):
        return text[:match.start()].strip(), text[match.end():].strip()
    return text.rstrip("。:："), ""


def _split_sections(lines: Sequence[str]) -> tuple[list[str], list[_Part]]:
    preamble: list[str] = []
    parts: list[_Part] = []
    for line in lines:
        mark = _section_mark(line)
        if mark and mark.number > (parts[-1].number if parts else 0):
            heading, rest = _split_inline(line[mark.title_at:])
            parts.append(_Part(mark.number, heading, section_kind(heading), [rest] if rest else []))
        elif parts:
            parts[-1].lines.append(line)
        else:
            preamble.append(line)
    return preamble, parts


# ---------------------------------------------------------------- drafts

@dataclass
class _Draft:
    """A finding cut out of the outline, before its fields are recognised."""

    number: list[int]
    head: str | None  # the item's title line (without its numeral); None when unnumbered
    body: list[str]
    unit: str | None  # from the group or section heading
    context: str = ""  # the group heading, for the category
    numbered: bool = True


@dataclass
class _Group:
    number: int | None
    heading: str | None
    lines: list[str] = field(default_factory=list)


def _split_groups(part: _Part) -> tuple[list[_Group], list[str] | None]:
    """The groups of a problems section, and the cause analysis that may close it."""
    groups = [_Group(None, None)]
    causes = None
    for line in part.lines:
        if causes is not None:
            causes.append(line)
            continue
        mark = _group_mark(line)
        numbered = [g.number for g in groups if g.number]
        if mark and mark.number > (numbered[-1] if numbered else 0):
            heading = line[mark.title_at:].strip()
            if _CAUSE_HEADING.search(rec.halfwidth(heading)):
                causes = [line]
            else:
                groups.append(_Group(mark.number, heading))
            continue
        if not _item_mark(line) and _CAUSE_INTRO.search(rec.halfwidth(line)):
            causes = [line]
            continue
        groups[-1].lines.append(line)
    if len(groups) > 1 and not groups[0].lines:
        groups.pop(0)
    return groups, causes


def _split_items(lines: Sequence[str]) -> tuple[list[str], list[tuple[int, str, list[str]]]]:
    marks = [_item_mark(line) for line in lines]
    style = None
    for rank, _ in _ITEMS:
        first = next((m for m in marks if m and m.rank == rank), None)
        if first and first.number == 1:
            style = rank
            break
    preamble: list[str] = []
    items: list[tuple[int, str, list[str]]] = []
    for line, mark in zip(lines, marks):
        if mark and mark.rank == style and mark.number > (items[-1][0] if items else 0):
            items.append((mark.number, line[mark.title_at:].strip(), []))
        elif items:
            items[-1][2].append(line)
        else:
            preamble.append(line)
    return preamble, items


def _has_signal(text: str) -> bool:
    return bool(_SIGNAL.search(rec.halfwidth(text)) or rec.find_amounts(text) or rec.find_citations(text))


def _paragraph_drafts(lines: Sequence[str], number: list[int], unit: str | None) -> list[_Draft]:
    """Unnumbered findings, one per paragraph that reads like one.

    A paragraph that only gives a directive, or says nothing finding-like,
    continues the finding before it; a lead-in ending with a colon is skipped.
    """
    drafts: list[_Draft] = []
    for line in lines:
        norm = rec.halfwidth(line)
        directive_only = "".join(rec.find_directives(line)) == line
        if drafts and (directive_only or not _has_signal(line)):
            drafts[-1].body.append(line)
        elif _has_signal(line) and not norm.endswith(":"):
            drafts.append(_Draft(number + [len(drafts) + 1], None, [line], unit, numbered=False))
    return drafts


def _drafts(part: _Part, prefix: list[int], strict: bool, warnings: list[str]) -> tuple[list[_Draft], list[str] | None]:
    """Findings of one section; `strict` for a problems section, else only finding-like items."""
    groups, causes = _split_groups(part)
    section_unit = rec.unit_from_heading(part.heading)
    drafts: list[_Draft] = []
    for group in groups:
        number = prefix + ([group.number] if group.number else [])
        preamble, items = _split_items(group.lines)
        unit = (rec.unit_from_heading(group.heading) if group.heading else None) or section_unit
        if items:
            drafts += [_Draft(number + [n], head, body, unit, group.heading or "") for n, head, body in items]
        elif group.heading is None:
            if len(groups) == 1:  # a section without groups or numbers: one finding per paragraph
                drafts += _paragraph_drafts(group.lines, number, unit)
                preamble = []
            # else the lead-in of a section split into groups: only worth a warning below
        elif rec.unit_from_heading(group.heading):
            if group.lines:
                drafts.append(_Draft(number, None, group.lines, unit, group.heading))
            preamble = []
        else:
            drafts.append(_Draft(number, group.heading, group.lines, unit, group.heading))
            preamble = []
        if any(rec.find_amounts(line) or rec.find_citations(line) for line in preamble):
            where = f"“{group.heading}”" if group.heading else f"第{part.number}部分“{part.heading}”"
            warnings.append(f"{where}开头的段落未归入任何问题，请核对是否遗漏")
    if not strict:
        drafts = [d for d in drafts if _has_signal("\n".join([d.head or "", *d.body]))]
    return drafts, causes


# ---------------------------------------------------------------- fields

def _first_sentence(text: str) -> int | None:
    """End of a heading's first sentence when more text follows it on the line, else None."""
    norm = rec.halfwidth(text)
    match = _HEAD_BREAK.search(norm)
    if match and match.end() < len(norm.rstrip()):
        return match.start()
    return None


class _Text(NamedTuple):
    summary: str
    description: str
    full: str  # the text the recognisers read: the description, with a separate heading line first
    summary_end: int  # where the summary ends in `full`
    level: Confidence
    reason: str | None


def _texts(draft: _Draft) -> _Text:
    """The summary and the description, as the finding's heading and lines give them."""
    body = "\n".join(draft.body)
    head = draft.head
    if head and (cut := _first_sentence(head)) is not None:  # "1、标题。正文…" in one paragraph
        description = "\n".join([head, *draft.body])
        if cut <= _SECTION_MAX:
            return _Text(head[:cut].strip(), description, description, cut, Confidence.HIGH, None)
        return _Text(head[:cut].strip(), description, description, cut, Confidence.MEDIUM,
                     "标题与正文同段，摘要取第一句，请核对")
    if head:
        full = f"{head}\n{body}" if body else head
        return _Text(head.rstrip("。:：;；"), body or head, full, len(head), Confidence.HIGH, None)
    first_line = draft.body[0] if draft.body else ""
    cut = _SENTENCE_BREAK.search(rec.halfwidth(first_line))
    summary = first_line[:cut.start()] if cut else first_line
    return _Text(summary.strip(), body, body, len(summary), Confidence.MEDIUM, "原文无小标题，摘要取自第一句，请核对")


def _propose(draft: _Draft, number: str, categories: Iterable, report_body: str | None) -> ProposedFinding:
    text = _texts(draft)
    if not text.summary:
        text = text._replace(level=Confidence.LOW, reason="原文没有可作摘要的文字，请补录")
    summary, description, full, summary_end, *summary_note = text
    quotes, titles = rec.quote_spans(full), rec.title_spans(full)
    basis = rec.choose_legal_basis(full)
    excluded = quotes + titles + basis.spans
    amount = rec.choose_amount(full, excluded, summary_end)
    directives = rec.find_directives(full, quotes + titles)
    category = rec.propose_category(summary, f"{draft.context}\n{rec.blank_out(full, excluded)}", categories)
    if labelled := rec.unit_from_label(full):
        unit = rec.UnitChoice(labelled, Confidence.HIGH, None)
    elif draft.unit:
        unit = rec.UnitChoice(draft.unit, Confidence.HIGH, None)
    else:
        unit = rec.unit_from_text(full, report_body)

    finding = ProposedFinding(
        number=number,
        audited_unit=unit.unit,
        summary=summary,
        description=description,
        amount=amount.value,
        legal_basis=basis.text,
        directive="".join(directives) or None,
        category=category.name,
        category_words=category.words,
    )
    finding.mark("number", Confidence.HIGH if draft.numbered else Confidence.MEDIUM,
                 None if draft.numbered else "原文未编号，按段落顺序编号")
    finding.mark("audited_unit", unit.level, unit.reason)
    finding.mark("summary", *summary_note)
    masked = [f"“{m.shown}”" for m in rec.find_amounts(full) if m.masked]
    masked += [f"“{text}”" for text in rec.masked_figures(full)]
    finding.mark("description", Confidence.MEDIUM if masked else Confidence.HIGH,
                 f"原文数字缺失：{'、'.join(masked)}" if masked else None)
    finding.mark("amount", amount.level, amount.reason)
    finding.mark("legal_basis", basis.level, basis.reason)
    finding.mark("directive", Confidence.HIGH if directives else Confidence.LOW,
                 None if directives else "未找到整改要求（责令…/建议…/要求…），请补录")
    finding.mark("category", category.level, category.reason)
    return finding


def _numbers(drafts: Sequence[_Draft]) -> list[tuple[str, bool]]:
    """"2-3" style numbers, made unique with a letter when the source repeats one."""
    seen: dict[str, int] = {}
    result = []
    for draft in drafts:
        base = "-".join(str(n) for n in draft.number) or "1"
        seen[base] = seen.get(base, 0) + 1
        repeat = seen[base] > 1
        result.append((base + "abcdefghijklmnopqrstuvwxyz"[min(seen[base], 26) - 1] if repeat else base, repeat))
    return result


# ---------------------------------------------------------------- the report

def _metadata(head: Sequence[str], lines: Sequence[str], audited_body: str | None) -> ReportMetadata:
    tail = list(lines[-_EDGE:])
    title = next((line for line in head[:3]
                  if len(line) <= 60 and "。" not in line and re.search(r"报告|通报|意见书|决定书", line)), None)
    return ReportMetadata(
        title=title,
        issuing_body=rec.find_issuing_body(head, tail),
        audited_body=audited_body,
        doc_number=rec.find_report_doc_number(head, tail),
        date=rec.find_report_date(head, tail),
        period=rec.find_period("\n".join(head[:5])),
    )


def _clean(lines: Iterable[str]) -> list[str]:
    cleaned = []
    for line in lines:
        text = str(line).translate(_ZERO_WIDTH)
        for piece in text.splitlines():
            if piece := piece.strip():
                cleaned.append(piece)
    return cleaned


def parse_lines(lines: Iterable[str], categories: Iterable = SEED_CATEGORIES) -> ParsedReport:
    """Recognise the findings of a report given as lines of text.

    Raises ValidationError when the text is empty, is not a report, or holds
    no recognisable finding.
    """
    lines = _clean(lines)
    if not lines:
        raise ValidationError("文件中没有文字内容")
    if not _REPORT_WORDS.search("\n".join(lines)):
        raise ValidationError("文件内容不像审计或检查报告（没有出现“审计”“检查”“问题”“整改”等字样），无法识别问题")
    categories = list(categories)
    preamble, parts = _split_sections(lines)
    warnings: list[str] = []
    problem_parts = [p for p in parts if p.kind is SectionKind.FINDINGS]
    strict = bool(problem_parts)
    if not strict:
        problem_parts = [p for p in parts if p.kind is SectionKind.OTHER] or (
            [] if parts else [_Part(0, "", SectionKind.OTHER, preamble)])
        warnings.append("未找到“发现的问题”部分，问题按编号段落识别，请逐条核对")

    sections: list[Section] = []
    drafts: list[_Draft] = []
    for part in parts:
        sections.append(Section(part.number, part.heading, part.kind))
        if part in problem_parts:
            found, causes = _drafts(part, [part.number] if len(problem_parts) > 1 else [], strict, warnings)
            drafts += found
            if causes:
                sections.append(Section(part.number, causes[0], SectionKind.CAUSES))
    if not parts and problem_parts:
        drafts, _ = _drafts(problem_parts[0], [], strict, warnings)
    if not drafts:
        raise ValidationError("未在报告中识别出问题条目：没有“发现的问题”部分，也没有带编号、依据或整改要求的问题段落")

    head = preamble[:_EDGE] or lines[:_EDGE]
    report_body = rec.find_audited_body("\n".join(head))
    findings = []
    for draft, (number, repeated) in zip(drafts, _numbers(drafts)):
        finding = _propose(draft, number, categories, report_body)
        if repeated:
            finding.mark("number", Confidence.LOW, "原文编号重复，已加字母后缀区分，请核对")
        findings.append(finding)
    advice = "\n".join(line for p in parts if p.kind is SectionKind.ADVICE for line in p.lines)
    return ParsedReport(
        metadata=_metadata(head, lines, report_body),
        sections=sections,
        advice=advice or None,
        findings=findings,
        warnings=warnings,
    )
