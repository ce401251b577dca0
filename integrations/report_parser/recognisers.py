"""Recognisers for the pieces of a finding: amounts, 文号 and citations,
directives, audited units, categories, and the report's own metadata.

All matching runs on `halfwidth` of the input, which maps full-width ASCII
(digits, ，；：（）［］％) to half-width one character for one character;
spans found there slice the original text, so what the coordinator sees is
the text as written.
"""
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from integrations.values import normalize_text, parse_amount, parse_date
from integrations.report_parser.model import Confidence
from models.errors import ValidationError

CJK = "\u4e00-\u9fff"

Span = tuple[int, int]


def halfwidth(text: str) -> str:
    """`normalize_text` without its stripping, so positions match the original."""
    core = normalize_text(text)
    lead = len(text) - len(text.lstrip())
    return text[:lead] + core + text[lead + len(core):]


def _inside(position: int, spans: Iterable[Span]) -> bool:
    return any(start <= position < end for start, end in spans)


def blank_out(text: str, spans: Iterable[Span]) -> str:
    """`text` with the spans replaced by spaces: positions stay, the words go."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# ---------------------------------------------------------------- quotes and titles

def quote_spans(text: str) -> list[Span]:
    """The outermost “…” spans, nesting allowed; an unclosed “ runs to the end of its line."""
    spans, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "“":
            if depth == 0:
                start = index
            depth += 1
        elif char == "”" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, index + 1))
        elif char == "\n" and depth:
            spans.append((start, index))
            depth = 0
    if depth:
        spans.append((start, len(text)))
    return spans


# A document title, one level of nested 《》 allowed (《关于印发《办法》的通知》).
_TITLE = re.compile(r"《[^《》]*(?:《[^《》]*》[^《》]*)*》")


def title_spans(text: str) -> list[Span]:
    return [match.span() for match in _TITLE.finditer(text)]


# ---------------------------------------------------------------- amounts

_MONEY_UNIT = rf"(?:亿元|万元|元|万(?![{CJK}]))"
_AMOUNT = re.compile(
    r"(?:(?:人民币|RMB)\s*)?"
    rf"(?<![\d.,])(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<unit>{_MONEY_UNIT})"
    r"|¥\s*(?P<yen>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
)
# The source lost the last digit group ("14,891,元") or masked the digits ("XX元").
_MASKED_DIGITS = re.compile(
    r"(?<![\d.,])\d{1,3}(?:,\d{3})*,\s*(?:亿元|万元|元)|(?<![A-Za-z])[xX×*]{1,6}\s*(?:亿元|万元|元)"
)
# A unit with no number at all ("报销金额元", "县级元"): only after words that
# introduce a figure, so 单元, 美元, 元旦 or 一万元 are not taken for masks.
_MASKED_BARE = re.compile(
    r"(?:金额|资金|费用|总额|款|计|共|达|为|级|支出|收入|结余|补助|报销|筹资|至|约|:)\s*"
    r"(?:亿元|万元|元)(?![旦素月宵])"
)
_MASKED_PERCENT = re.compile(r"(?<![\d.%])%|(?<![\d一二三四五六七八九十两几])个百分点")


@dataclass(frozen=True)
class AmountMention:
    start: int
    end: int
    text: str  # as written
    value: Decimal | None  # None when masked in the source
    in_parentheses: bool
    context: str  # the clause up to and including the amount, normalised

    @property
    def masked(self) -> bool:
        return self.value is None

    @property
    def shown(self) -> str:
        """The amount with the words before it, to find it in the report."""
        return self.context[-14:]


def _clause_before(norm: str, position: int, limit: int = 20) -> str:
    """The text from the previous clause break up to `position` (a comma between digits is no break)."""
    start = position
    while start > 0 and position - start < limit:
        char = norm[start - 1]
        if char in "。;!?\n:":
            break
        if char == "," and not (start >= 2 and norm[start - 2].isdigit() and norm[start:start + 1].isdigit()):
            break
        start -= 1
    return norm[start:position]


def _paren_depths(norm: str) -> list[int]:
    """The bracket depth before each position; a sentence end closes what was left open."""
    depths, depth = [0], 0
    for char in norm:
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif char in "。\n":
            depth = 0
        depths.append(depth)
    return depths


def find_amounts(text: str) -> list[AmountMention]:
    """Every money figure in `text`, masked ones included, in order."""
    norm = halfwidth(text)
    found: list[tuple[int, int, Decimal | None]] = []
    for pattern in (_MASKED_DIGITS, _MASKED_BARE):
        for match in pattern.finditer(norm):
            found.append((match.start(), match.end(), None))
    taken = [(start, end) for start, end, _ in found]
    for match in _AMOUNT.finditer(norm):
        if _inside(match.start(), taken):
            continue
        raw = match["yen"] or (match["num"] + match["unit"])
        try:
            value = parse_amount(raw)
        except ValidationError:
            continue
        found.append((match.start(), match.end(), value))
    depths = _paren_depths(norm)
    return [
        AmountMention(start, end, text[start:end], value, depths[start] > 0,
                      _clause_before(norm, start) + norm[start:end])
        for start, end, value in sorted(found, key=lambda item: item[0])
    ]


def masked_figures(text: str) -> list[str]:
    """Percentages and 百分点 whose number is missing, each with a little context."""
    norm = halfwidth(text)
    return [text[m.start() - len(_clause_before(norm, m.start(), 12)):m.end()] for m in _MASKED_PERCENT.finditer(norm)]


# Words in the clause before an amount that make it the finding's own figure,
# or a rule's figure (a standard, a cap) that it is not.
_STRONG = re.compile(
    r"(?<!公)共|合计|总计|涉及|违规|超|多收|多报|多计|多支付|多拨|虚|套取|骗取|问题资金|少缴|少征|"
    r"重复|挪用|截留|滞留|未拨付|未到位|应退|应追回|追回|退回|不明细|不合理"
)
_WEAK = re.compile(r"金额|资金|费用|款|报销|支付|收取|收费|累计|结余|差额")
_RULE_FIGURE = re.compile(r"人均|每人|每|标准|单价|限额|封顶|最高|起付|筹资|预算|安排")
_TOTAL = re.compile(r"(?<!公)共|合计|总计")


def _score(mention: AmountMention, summary_end: int) -> int:
    strong = bool(_STRONG.search(mention.context))
    score = 3 * strong + bool(_WEAK.search(mention.context))
    if not strong and _RULE_FIGURE.search(mention.context):
        score -= 3
    if mention.in_parentheses:
        score -= 2
    if mention.start < summary_end:
        score += 4
    return score


class AmountChoice(NamedTuple):
    value: Decimal | None
    level: Confidence
    reason: str | None


def choose_amount(text: str, excluded: Sequence[Span] = (), summary_end: int = 0) -> AmountChoice:
    """The amount the finding is about; the others stay in the description.

    `excluded` spans (quoted clauses, cited titles) hold the rule's figures,
    not the finding's. `summary_end` marks the heading: a figure there wins.
    """
    candidates = [m for m in find_amounts(text) if not _inside(m.start, excluded)]
    if not candidates:
        return AmountChoice(None, Confidence.HIGH, None)
    scored = sorted(((_score(m, summary_end), m) for m in candidates), key=lambda pair: -pair[0])
    best = scored[0][0]
    tops = [m for score, m in scored if score == best]
    masked = [m.shown for m in tops if m.masked]
    if masked:
        shown = "、".join(f"“{t}”" for t in masked)
        return AmountChoice(None, Confidence.LOW, f"原文金额缺失或被遮盖（{shown}），未填入，请按原始资料补录")
    if len(tops) == 1:
        runner_up = scored[1][0] if len(scored) > 1 else None
        if runner_up is None or best - runner_up >= 3:
            return AmountChoice(tops[0].value, Confidence.HIGH, None)
        others = "、".join(f"“{m.text}”" for _, m in scored[1:])
        return AmountChoice(tops[0].value, Confidence.MEDIUM,
                            f"文中另有金额{others}，取“{tops[0].text}”作为问题金额，请核对")
    listed = "、".join(f"“{m.text}”" for m in tops)
    if all(_TOTAL.search(m.context) for m in tops):
        return AmountChoice(sum(m.value for m in tops), Confidence.MEDIUM,
                            f"金额为各期合计数{listed}之和，请核对")
    largest = max(tops, key=lambda m: m.value)
    return AmountChoice(largest.value, Confidence.MEDIUM, f"文中有多个金额{listed}，取最大的“{largest.text}”，请核对")


# ---------------------------------------------------------------- 文号

_YEAR = r"(?:(?:19|20)\d{2}|(?:19|20)[xX×]{2}|20\d[xX×]|[xX×]{4})"
_DOC_NUMBER = re.compile(
    rf"(?P<org>[{CJK}A-Za-z]{{0,12}}?)\s*[〔\[(【〖]\s*{_YEAR}\s*[〕\])】〗]\s*第?\s*(?:\d{{1,4}}|[xX×]{{1,3}})\s*号"
)
_NOT_ORG = re.compile(r"^(?:根据|依据|按照|依照|执行|不符合|违反|违背|关于|印发|转发|和|及|与|以及|的|了|见|按)+")


def find_doc_numbers(text: str) -> list[str]:
    """文号 such as 鲁卫农卫发〔20xx〕8号, 医保发(2020)5号 or 云审报[2021]22号, as written."""
    norm = halfwidth(text)
    numbers = []
    for match in _DOC_NUMBER.finditer(norm):
        lead = _NOT_ORG.match(match["org"])
        start = match.start() + (lead.end() if lead else 0)
        numbers.append(text[start:match.end()])
    return numbers


# ---------------------------------------------------------------- citations (定性依据)

_CN_NUM = "一二三四五六七八九十百零〇两"
_ARTICLE = re.compile(
    rf"\s*第\s*[{_CN_NUM}\d]+\s*条(?:\s*第\s*[{_CN_NUM}\d]+\s*款)?(?:\s*第\s*[{_CN_NUM}\d]+\s*项)?"
)
_DOC_IN_PARENS = re.compile(rf"\s*\(\s*[{CJK}A-Za-z]{{0,12}}\s*[〔\[(【〖]\s*{_YEAR}\s*[〕\])】〗]\s*第?\s*"
                            r"(?:\d{1,4}|[xX×]{1,3})\s*号\s*\)")
_ENDING = re.compile(r"\s*(?:之|的|等|相关|有关)?(?:规定|要求)")
_CHAIN = re.compile(r"\s*(?:和|及|与|以及|、|,)\s*(?=《)")
_TRIGGER = re.compile(r"不符合|违反|违背|有违|不满足|未执行|未按照?|未遵守|定性依据|依据[:]")
_BARE_ARTICLE = re.compile(
    rf"(?:不符合|违反|违背)了?(?P<body>[^。;,\n《》]{{2,40}}?第\s*[{_CN_NUM}\d]+\s*条"
    rf"(?:\s*第\s*[{_CN_NUM}\d]+\s*款)?(?:\s*第\s*[{_CN_NUM}\d]+\s*项)?(?:{_ENDING.pattern})?)"
)
_SPACES = re.compile(r"\s*")
_SEARCH_LIMIT = 1200  # how far a citation may run after its title before we give up on its end


class Citation(NamedTuple):
    start: int
    end: int
    text: str  # as written, line breaks removed
    has_doc_number: bool
    has_article: bool
    has_clause: bool
    balanced: bool  # False when the quoted clause's quotes do not pair up


def _closing_quote(norm: str, start: int) -> int | None:
    """Index just past the ” closing the “ at `start`, or None if unbalanced."""
    depth = 0
    for index in range(start, min(len(norm), start + _SEARCH_LIMIT)):
        if norm[index] == "“":
            depth += 1
        elif norm[index] == "”":
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def _citation_at(text: str, norm: str, title: re.Match) -> Citation:
    position = title.end()
    has_doc = has_article = has_clause = False
    balanced = True
    while True:
        if match := _DOC_IN_PARENS.match(norm, position):
            position, has_doc = match.end(), True
        if match := _ARTICLE.match(norm, position):
            position, has_article = match.end(), True
        quote = _SPACES.match(norm, position).end()
        if norm.startswith("“", quote):
            end = _closing_quote(norm, quote)
            if end is None:
                balanced = False
                ending = norm.find("之规定", quote, quote + _SEARCH_LIMIT)
                position = ending + 3 if ending >= 0 else position
                break
            position, has_clause = end, True
        if match := _ENDING.match(norm, position):
            position = match.end()
        chained = _CHAIN.match(norm, position)
        next_title = _TITLE.match(norm, chained.end()) if chained else None
        if next_title is None:
            break
        position = next_title.end()
    return Citation(title.start(), position, text[title.start():position].replace("\n", ""),
                    has_doc, has_article, has_clause, balanced)


def find_citations(text: str) -> list[Citation]:
    """The rules a finding says were broken: titles after 不符合/违反…, chained ones joined.

    Without such a trigger, a title with a 文号, article or quoted clause is
    taken instead; without any title, "违反…第X条" is.
    """
    norm = halfwidth(text)
    titles = list(_TITLE.finditer(norm))
    cited, covered_to = [], -1
    for title in titles:
        if title.start() < covered_to:
            continue
        sentence_start = max(norm.rfind(mark, 0, title.start()) for mark in "。;\n") + 1
        if _TRIGGER.search(norm, sentence_start, title.start()):
            citation = _citation_at(text, norm, title)
            cited.append(citation)
            covered_to = citation.end
    if cited:
        return cited
    for title in titles:
        citation = _citation_at(text, norm, title)
        if citation.has_doc_number or citation.has_article or citation.has_clause:
            return [citation]
    if match := _BARE_ARTICLE.search(norm):
        start, end = match.span("body")
        return [Citation(start, end, text[start:end].replace("\n", ""), False, True, False, True)]
    return []


class BasisChoice(NamedTuple):
    text: str | None
    level: Confidence
    reason: str | None
    spans: list[Span]


def choose_legal_basis(text: str) -> BasisChoice:
    citations = find_citations(text)
    spans = [(c.start, c.end) for c in citations]
    if not citations:
        return BasisChoice(None, Confidence.LOW, "未找到定性依据（如“不符合《…》(文号)“…”之规定”），请补录", spans)
    joined = "；".join(c.text for c in citations)
    if not all(c.balanced for c in citations):
        return BasisChoice(joined, Confidence.MEDIUM, "引文的引号不配对，依据截至“之规定”，请核对", spans)
    if not any(c.has_doc_number or c.has_article for c in citations):
        return BasisChoice(joined, Confidence.MEDIUM, "引用的文件未注明文号或条款，请核对", spans)
    if not citations[0].text.startswith("《"):
        return BasisChoice(joined, Confidence.MEDIUM, "引用的法规未加书名号，依据范围按条款推断，请核对", spans)
    return BasisChoice(joined, Confidence.HIGH, None, spans)


# ---------------------------------------------------------------- directives

_SENTENCE_END = re.compile(r"[。;!?\n]")
_PREFACE = re.compile(
    r"^\s*(?:(?:对此|为此|据此|针对(?:上述|以上|该|此)(?:问题)?)\s*,?\s*)?"
    r"(?:(?:审计组?|检查组|本局|我局|我厅|我委|我中心)\s*)?"
)
_DIRECTIVE_START = re.compile(
    r"(?:责令|责成|建议|要求|请|限期|督促|处理意见|处理决定|整改要求|整改建议|审计意见)"
)
_DIRECTIVE_ANYWHERE = re.compile(r"责令|责成")


def find_directives(text: str, excluded: Sequence[Span] = ()) -> list[str]:
    """Sentences that order or advise the rectification (责令…/建议…/要求…), as written.

    `excluded` spans (quoted clauses, titles) are blanked first: a rule that
    says 要求 is not a directive, and a 。 inside a quote ends no sentence.
    """
    norm = blank_out(halfwidth(text), excluded)
    directives, start = [], 0
    for end in [m.end() for m in _SENTENCE_END.finditer(norm)] + [len(norm)]:
        sentence = norm[start:end]
        lead = start + _PREFACE.match(sentence).end()
        if _DIRECTIVE_START.match(norm, lead) or _DIRECTIVE_ANYWHERE.search(sentence):
            directive = text[start:end].strip()
            if directive.strip("。;；!！?？"):
                directives.append(directive)
        start = end
    return directives


# ---------------------------------------------------------------- audited units

_UNIT_SUFFIX = (
    r"(?:办公室|委员会|管理局|卫生院|卫生室|卫生所|服务站|医院|诊所|药店|药房|机构|部门|中心|公司|单位|政府|"
    r"街道|乡镇|社区|集团|局|委|厅|站|所|室|科)"
)
_UNIT_NAME = rf"[{CJK}A-Za-z]{{1,20}}?{_UNIT_SUFFIX}(?:[{CJK}]{{0,2}}?{_UNIT_SUFFIX})*"
_GROUP_TAIL = re.compile(r"(?:方面)?(?:存在的?(?:主要)?问题|的?(?:主要)?问题|方面|情况)$")
_GROUP_LEAD = re.compile(r"^(?:关于|对)")
_SECTORS = frozenset({"财政", "医保", "卫健", "卫生", "民政", "税务", "人社", "公安", "物价", "审计"})
_UNIT_LABEL = re.compile(r"(?:被检查|被审计|被核查)(?:单位|机构|对象)|单位名称|检查对象")
_UNIT_AT_START = re.compile(rf"^(?:经查|经审计(?:调查)?|经检查|检查发现|审计发现)?\s*,?\s*(?P<u>{_UNIT_NAME})"
                            r"(?=存在|未|在|将|于|对|向|的|违规|超|多|少|重复|\d)")
_UNIT_OBJECT = re.compile(rf"(?:责令|责成|建议|要求|督促)(?P<u>{_UNIT_NAME})")


def unit_from_heading(heading: str) -> str | None:
    """"财政部门存在的问题" -> "财政部门"; None when the heading names a theme, not a body."""
    core = _GROUP_LEAD.sub("", _GROUP_TAIL.sub("", halfwidth(heading).strip().rstrip("。:")))
    if not core:
        return None
    if core in _SECTORS or re.fullmatch(_UNIT_NAME, core):
        return core
    return None


class UnitChoice(NamedTuple):
    unit: str | None
    level: Confidence
    reason: str | None


def unit_from_label(text: str) -> str | None:
    """The unit a line such as "被检查单位：XX医院" names (findings tables give one)."""
    for line in halfwidth(text).split("\n"):
        label = _UNIT_LABEL.match(line)
        if label and (value := line[label.end():].lstrip(":\t ").strip()):
            return value.split("\t")[0]
    return None


_AUDITED_BODY = re.compile(rf"(?:对|关于)(?P<u>{_UNIT_NAME})(?=[{CJK}\d])")


def find_audited_body(text: str) -> str | None:
    """The body a whole report is about: "关于XX县人民医院…的通报", "对XX医院…进行了检查"."""
    match = _AUDITED_BODY.search(halfwidth(text))
    return match["u"] if match else None


def unit_from_text(text: str, report_body: str | None = None) -> UnitChoice:
    """The audited unit when no heading names it: the text's subject, the report's body, the directive's object."""
    norm = halfwidth(text)
    if match := _UNIT_AT_START.match(norm):
        return UnitChoice(match["u"], Confidence.MEDIUM, "被审计单位取自问题描述的开头，请核对")
    if report_body:
        return UnitChoice(report_body, Confidence.MEDIUM, "被审计单位取自报告开头，请核对")
    if match := _UNIT_OBJECT.search(norm):
        return UnitChoice(match["u"], Confidence.MEDIUM, "被审计单位按整改要求的对象推断，请核对")
    return UnitChoice(None, Confidence.LOW, "未能确定被审计单位，请补录")


# ---------------------------------------------------------------- categories

class CategoryChoice(NamedTuple):
    name: str
    words: tuple[str, ...]
    level: Confidence
    reason: str | None


def propose_category(summary: str, body: str, categories: Iterable, fallback: str = "其他") -> CategoryChoice:
    """The category whose keywords match best; a keyword in the heading weighs three times.

    `categories` are objects with `name` and `keywords` (models.categories.CategorySeed
    or the database rows), so coordinator-added categories take part.
    """
    summary_norm, body_norm = halfwidth(summary), halfwidth(body)
    ranked = []
    for category in categories:
        in_summary = [w for w in category.keywords if w in summary_norm]
        in_body = [w for w in category.keywords if w in body_norm and w not in in_summary]
        if in_summary or in_body:
            ranked.append((3 * len(in_summary) + len(in_body), bool(in_summary), category.name,
                           tuple(in_summary + in_body)))
    if not ranked:
        return CategoryChoice(fallback, (), Confidence.LOW, "未匹配到任何类别关键词，暂归“其他”，请选择类别")
    ranked.sort(key=lambda item: -item[0])
    score, in_summary, name, words = ranked[0]
    tied = [item[2] for item in ranked[1:] if item[0] == score]
    if tied:
        return CategoryChoice(name, words, Confidence.LOW,
                              f"关键词同样匹配“{'”“'.join(tied)}”，请选择类别")
    if not in_summary:
        return CategoryChoice(name, words, Confidence.MEDIUM,
                              f"类别关键词（{'、'.join(words)}）只出现在正文中，请核对")
    return CategoryChoice(name, words, Confidence.HIGH, None)


# ---------------------------------------------------------------- report metadata

_ORG_SUFFIX = re.compile(
    r"审计署|审计厅|审计局|审计办公室|医疗保障局|医保局|卫生健康委员会|卫生健康委|卫健委|卫生健康局|卫生局|"
    r"财政厅|财政局|人力资源和社会保障局|人社局|市场监督管理局|检查组|巡察组|巡视组|稽核组|督导组|审计组|工作组|"
    r"纪委监委|监察委员会"
)
_ORG_STOP = set("的和与及对由经据于在,:;。、()《》“”\"' \t")
_ORG_MAX = 16
_ORG_FOLLOW = re.compile(r"\s*(?:于|在|对|派出|组织|根据|依据|按照|$)")


def _org_ending_at(norm: str, end: int) -> str:
    start = end
    while start > 0 and end - start < _ORG_MAX and norm[start - 1] not in _ORG_STOP:
        start -= 1
    return norm[start:end]


def find_issuing_body(head: Sequence[str], tail: Sequence[str]) -> str | None:
    """The body issuing the report: a signature or header line, else the opening sentence's subject."""
    for line in [*tail[::-1], *head]:
        norm = halfwidth(line)
        if len(norm) <= 30 and (match := _ORG_SUFFIX.search(norm)) and match.end() == len(norm):
            return line.strip()
    for line in head:
        norm = halfwidth(line)
        for match in _ORG_SUFFIX.finditer(norm):
            if _ORG_FOLLOW.match(norm, match.end()):
                name = _org_ending_at(norm, match.end())
                return line[match.end() - len(name):match.end()]
    return None


_DATE_LINE = re.compile(
    r"^\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月"
    r"\s*[\d一二三四五六七八九十]{1,3}\s*日\s*$"
)


def find_report_date(head: Sequence[str], tail: Sequence[str]) -> date | None:
    """The report's date: a line holding only a full date, at the end (signature) or the top."""
    for line in [*tail[::-1], *head]:
        norm = halfwidth(line)
        if _DATE_LINE.match(norm):
            try:
                return parse_date(norm.replace(" ", ""), 2000)
            except ValidationError:
                return None
    return None


_MONTH_DAY = r"\d{1,2}(?:\s*[-至~]\s*\d{1,2})?月(?:份)?(?:\d{1,2}日)?"
_POINT = rf"(?:19|20)[\dxX×]{{2}}年(?:度)?(?:{_MONTH_DAY})?"
_RANGE = rf"{_POINT}(?:\s*(?:至|到|-|—|~|–)\s*(?:今|现在|{_POINT}|{_MONTH_DAY}))?"
_PERIOD = re.compile(
    rf"(?:对[^,;。:]{{0,20}}?|(?:审计|检查|核查)(?:期间|时段|时间范围|范围)[:为是]?\s*)(?P<p>{_RANGE})"
)


def find_period(text: str) -> str | None:
    """The period audited, as written: "对XX县20xx年至20xx年5月…" -> "20xx年至20xx年5月"."""
    norm = halfwidth(text)
    if match := _PERIOD.search(norm):
        start, end = match.span("p")
        return text[start:end].strip()
    return None


def find_report_doc_number(head: Sequence[str], tail: Sequence[str]) -> str | None:
    """The report's own 文号: a line holding only a 文号 (or "文号：…")."""
    for line in [*head, *tail]:
        stripped = re.sub(r"^\s*文号\s*[:：]\s*", "", line.strip())
        numbers = find_doc_numbers(stripped)
        if numbers and halfwidth(numbers[0]) == halfwidth(stripped):
            return numbers[0]
    return None
