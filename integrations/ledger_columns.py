"""The columns of the rectification ledger (整改台账), for import and export.

Export writes `Column.header` in `COLUMNS` order; import recognises the
header or any alias, ignoring whitespace, full-width brackets, a leading
required-marker "*" and unit suffixes such as "（元）" or "(万元)". Real
ledgers often put the rectified amounts under a merged group header
(已整改金额 over 追回/退回基金, 罚款, …), so a second header row directly
below the first is merged in.
"""
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from integrations.values import normalize_text
from models.errors import ValidationError


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    aliases: tuple[str, ...]
    required: bool


def _col(field: str, header: str, *aliases: str, required: bool = False) -> Column:
    return Column(field, header, aliases, required)


COLUMNS: tuple[Column, ...] = (
    _col("number", "编号", "序号", "问题编号", "问题序号", "台账编号", required=True),
    _col("source_kind", "问题来源", "来源", "问题来源类型", "发现渠道"),
    _col("source_doc", "来源文号", "文号", "审计文号", "报告文号", "检查文号", "文件文号", "交办文号"),
    _col("category", "问题类别", "问题类型", "类别", "违规类型", "问题分类", "违规类别"),
    _col("summary", "问题摘要", "问题标题", "问题名称", "摘要", "问题", "问题概述", "问题简述",
         required=True),
    _col("description", "问题描述", "具体描述", "存在问题", "问题内容", "问题详情", "具体问题",
         "问题具体表现", "主要问题"),
    _col("amount", "涉及金额", "问题金额", "问题资金", "涉及资金", "金额", "违规金额", "违规资金",
         "涉及基金", "涉及医保基金"),
    _col("legal_basis", "定性依据", "违反规定", "依据", "违规依据", "法规依据", "违反条款", "政策依据"),
    _col("directive", "整改要求", "整改建议", "处理决定", "审计建议", "处理意见", "整改意见",
         "审计意见", "处理建议"),
    _col("rectification_type", "整改类型", "整改方式", "整改类别"),
    _col("audited_unit", "被检查单位", "被审计单位", "被检查机构", "涉及机构", "定点机构",
         "定点医药机构", "涉及单位", "被检查对象"),
    _col("lead_unit", "牵头单位", "责任单位", "责任部门", "主责单位", "整改责任单位", "牵头部门",
         "主责部门", "整改牵头单位", "责任科室", required=True),
    _col("co_units", "配合单位", "协办单位", "配合部门", "协同单位", "协助单位"),
    _col("responsible_leader", "责任领导", "分管领导", "包保领导"),
    _col("responsible_person", "责任人", "具体责任人", "联系人", "经办人"),
    _col("measures", "整改措施", "整改举措", "具体措施"),
    _col("deadline", "整改时限", "完成时限", "整改期限", "完成时间", "整改时间", "完成期限",
         "整改完成时限", "时限", required=True),
    _col("milestones", "阶段节点", "时间节点", "阶段目标", "阶段性目标"),
    _col("progress", "整改进展", "进展情况", "整改情况", "整改进度", "进展"),
    _col("result", "整改结果", "完成情况", "整改成效"),
    _col("recovered_fund", "追回/退回金额", "追回资金", "退回金额", "追回金额", "追回/退回基金",
         "退回/追回基金", "追回基金", "退回资金", "追回医保基金"),
    _col("fines", "罚款金额", "罚款", "行政罚款"),
    _col("penalty", "违约金", "违约金金额"),
    _col("returned_to_channel", "归还原渠道", "归还原渠道资金", "归还原渠道金额"),
    _col("adjusted", "调账金额", "调账", "调整账目"),
    _col("evidence", "佐证材料", "证明材料", "佐证资料", "整改佐证", "佐证"),
    _col("status", "状态", "整改状态", "完成状态"),
    _col("closed", "是否销号", "销号"),
    _col("closed_on", "销号日期", "销号时间"),
    _col("remarks", "备注", "说明"),
)

BY_FIELD: dict[str, Column] = {column.field: column for column in COLUMNS}

# Columns holding yuan amounts: a 万元 header scales only these.
MONEY_FIELDS = frozenset({"amount", "recovered_fund", "fines", "penalty", "returned_to_channel", "adjusted"})

_KEY_NOISE = re.compile(r"[\s*※]+")
_UNIT_SUFFIX = re.compile(r"[(\[【/]?(?:单位[:：]?)?(?:人民币)?(?:万元|亿元|元)[)\]】]?$")
_BRACKET_SUFFIX = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")
# A line such as "金额单位：万元" above the table sets the unit of every money column.
_TABLE_IN_WAN = re.compile(r"单位[:：]?(?:人民币)?万元")


def _key(text: str) -> str:
    return _KEY_NOISE.sub("", normalize_text(text)).upper()


_LOOKUP: dict[str, str] = {
    _key(name): column.field for column in COLUMNS for name in (column.header, *column.aliases)
}


def field_for_header(text) -> str | None:
    """The field a header cell names, or None when it names none we know."""
    if not isinstance(text, str):
        return None
    key = _key(text)
    if not key:
        return None
    for candidate in (key, _UNIT_SUFFIX.sub("", key), _BRACKET_SUFFIX.sub("", key)):
        if candidate in _LOOKUP:
            return _LOOKUP[candidate]
    return None


@dataclass(frozen=True)
class HeaderMatch:
    """Where the header is and what each column holds.

    `header_row` is the 0-based index of the (first) header row; data starts
    at `data_row`, which is one further when a sub-header row was merged in or
    a row of column ordinals (1, 2, 3, …) follows the header.
    """

    header_row: int
    data_row: int
    columns: dict[int, str]  # 0-based column index -> field
    wan_columns: frozenset[int]  # money columns whose header says 万元
    unrecognised: tuple[str, ...]  # header texts that name no known column
    labels: dict[str, str] = dataclass_field(default_factory=dict)  # field -> header as written

    @property
    def wan_fields(self) -> frozenset[str]:
        return frozenset(self.columns[index] for index in self.wan_columns)


def _texts(row: Sequence[object]) -> list[str]:
    return [cell.strip() if isinstance(cell, str) else "" for cell in row]


def _match_row(row: Sequence[object]) -> dict[int, str]:
    return {index: found for index, cell in enumerate(row) if (found := field_for_header(cell))}


def _is_sub_header(row: Sequence[object], above: dict[int, str], below: dict[int, str]) -> bool:
    """Whether `row` (matching `below`) is the second row of the header matching `above`.

    Under a vertically merged header cell the row below is empty, and the
    sub-headers sit under a group header (已整改金额) that names no column;
    a data row instead has values (a number at least) under the named columns.
    """
    if not above or not below or any(index in above for index in below):
        return False
    return all(index >= len(row) or _blank(row[index]) for index in above)


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _is_ordinal_row(row: Sequence[object]) -> bool:
    """A row numbering the columns (1, 2, 3, …) under the header, as official forms have."""
    numbers = [cell for cell in row if not _blank(cell)]
    if len(numbers) < 3:
        return False
    try:
        values = [int(str(cell).strip()) for cell in numbers]
    except ValueError:
        return False
    return values == list(range(values[0], values[0] + len(values)))


def _carried(texts: list[str]) -> list[str]:
    """Each column's group header: a merged cell's text carried over the blanks to its right."""
    carried, current = [], ""
    for text in texts:
        current = text or current
        carried.append(current)
    return carried


def _padded(texts: list[str], width: int) -> list[str]:
    return texts + [""] * (width - len(texts))


def locate_header(rows: Iterable[Sequence[object]], max_scan: int = 15) -> HeaderMatch:
    """Find the header among the first `max_scan` rows and map its columns to fields."""
    scanned: list[Sequence[object]] = []
    for row in rows:
        scanned.append(row)
        if len(scanned) > max_scan:  # one row past the scan: the header's possible second row
            break
    matches = [_match_row(row) for row in scanned]

    best, best_score, two_rows = None, 0, False
    for index in range(min(max_scan, len(scanned))):
        score, merged = len(matches[index]), False
        if index + 1 < len(scanned) and _is_sub_header(scanned[index + 1], matches[index], matches[index + 1]):
            score, merged = score + len(matches[index + 1]), True
        if score > best_score:
            best, best_score, two_rows = index, score, merged
    if best is None:
        raise ValidationError(
            f"在前 {max_scan} 行中未找到表头：没有一行包含“编号”“问题摘要”“牵头单位”“整改时限”等列名"
        )

    columns = dict(matches[best])
    top = _texts(scanned[best])
    if two_rows:
        sub = _texts(scanned[best + 1])
        width = max(len(top), len(sub))
        top, sub = _padded(top, width), _padded(sub, width)
        columns.update(matches[best + 1])
        own = [below or above for above, below in zip(top, sub)]
        groups = _carried(top)
    else:
        own = groups = top
    data_row = best + (2 if two_rows else 1)
    if data_row < len(scanned) and _is_ordinal_row(scanned[data_row]):
        data_row += 1

    _check_columns(columns, own)
    table_in_wan = any(_TABLE_IN_WAN.search(_key(text)) for row in scanned[:best] for text in _texts(row))
    return HeaderMatch(
        header_row=best,
        data_row=data_row,
        columns=columns,
        wan_columns=frozenset(
            index for index, found in columns.items()
            if found in MONEY_FIELDS and _in_wan(own[index], groups[index], table_in_wan)
        ),
        unrecognised=tuple(text for index, text in enumerate(own) if text and index not in columns),
        labels={found: own[index] for index, found in columns.items()},
    )


def _in_wan(header: str, group: str, table_in_wan: bool) -> bool:
    """The unit of a money column: its own header, else its group header, else the table's."""
    key = _key(header)
    if "万元" in key:
        return True
    if _UNIT_SUFFIX.search(key):
        return False  # says 元 explicitly
    return "万元" in _key(group) or table_in_wan


def _check_columns(columns: dict[int, str], headers: list[str]) -> None:
    seen: dict[str, int] = {}
    for index, found in sorted(columns.items()):
        if found in seen:
            raise ValidationError(
                f"表头“{headers[seen[found]]}”与“{headers[index]}”指同一列（{BY_FIELD[found].header}），请删除或改名其中之一"
            )
        seen[found] = index
    missing = [column for column in COLUMNS if column.required and column.field not in seen]
    if missing:
        listed = "；".join(f"“{column.header}”（也可写作：{'、'.join(column.aliases)}）" for column in missing)
        raise ValidationError(f"台账缺少必填列：{listed}")
