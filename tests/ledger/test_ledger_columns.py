"""Ledger columns: the canonical order, and finding the header in real spreadsheets."""
import pytest

from integrations.ledger_columns import (
    COLUMNS,
    MONEY_FIELDS,
    field_for_header,
    locate_header,
)
from models.errors import ValidationError

CANONICAL = [
    ("number", "编号"), ("source_kind", "问题来源"), ("source_doc", "来源文号"), ("category", "问题类别"),
    ("summary", "问题摘要"), ("description", "问题描述"), ("amount", "涉及金额"), ("legal_basis", "定性依据"),
    ("directive", "整改要求"), ("rectification_type", "整改类型"), ("audited_unit", "被检查单位"),
    ("lead_unit", "牵头单位"), ("co_units", "配合单位"), ("responsible_leader", "责任领导"),
    ("responsible_person", "责任人"), ("measures", "整改措施"), ("deadline", "整改时限"),
    ("milestones", "阶段节点"), ("progress", "整改进展"), ("result", "整改结果"),
    ("recovered_fund", "追回/退回金额"), ("fines", "罚款金额"), ("penalty", "违约金"),
    ("returned_to_channel", "归还原渠道"), ("adjusted", "调账金额"), ("evidence", "佐证材料"),
    ("status", "状态"), ("closed", "是否销号"), ("closed_on", "销号日期"), ("remarks", "备注"),
]
TITLE = ["XX县医保基金审计发现问题整改台账", None, None, None, None]
FILLED_BY = ["填报单位：XX县医疗保障局", None, "填报日期：2026年3月1日", None, None]


def test_columns_are_the_canonical_ledger_in_order():
    assert [(c.field, c.header) for c in COLUMNS] == CANONICAL
    assert {c.field for c in COLUMNS if c.required} == {"number", "summary", "lead_unit", "deadline"}
    assert MONEY_FIELDS == {"amount", "recovered_fund", "fines", "penalty", "returned_to_channel", "adjusted"}


def test_every_header_and_alias_names_one_column_only():
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            assert field_for_header(name) == column.field, name


@pytest.mark.parametrize("header, field", [
    ("整改时限", "deadline"), ("完成时限", "deadline"), ("整改期限", "deadline"),
    ("责任单位", "lead_unit"), ("责任部门", "lead_unit"),
    ("问题描述", "description"), ("存在问题", "description"), ("问题内容", "description"),
    (" 整改\n时限 ", "deadline"), ("整\u3000改\u3000时\u3000限", "deadline"),
    ("*编号", "number"), ("序  号", "number"),
    ("涉及金额（元）", "amount"), ("涉及金额(万元)", "amount"), ("涉及金额（单位：万元）", "amount"),
    ("问题金额/万元", "amount"), ("涉及资金万元", "amount"), ("罚款（元）", "fines"),
    ("追回/退回金额（元）", "recovered_fund"), ("追回／退回金额", "recovered_fund"),
    ("整改时限（年月日）", "deadline"), ("佐证材料【附件】", "evidence"),
    ("ＲＥＭＡＲＫＳ", None), ("填报单位：XX县医疗保障局", None), ("", None), (None, None), (3, None),
])
def test_field_for_header(header, field):
    assert field_for_header(header) == field


def test_header_below_title_rows():
    rows = [
        TITLE,
        FILLED_BY,
        [],
        ["序号", "问题", "责任单位", "完成时限", "涉及金额（元）", "问题类型", "督办意见"],
        [1, "重复收费", "县医保局", "2026年3月5日", "1,234.56", "重复收费", None],
    ]
    match = locate_header(rows)
    assert match.header_row == 3
    assert match.data_row == 4
    assert match.columns == {0: "number", 1: "summary", 2: "lead_unit", 3: "deadline", 4: "amount", 5: "category"}
    assert match.wan_columns == frozenset()
    assert match.unrecognised == ("督办意见",)
    assert match.labels["deadline"] == "完成时限"
    assert match.labels["amount"] == "涉及金额（元）"


def test_wan_header_marks_the_money_column():
    rows = [["编号", "问题摘要", "牵头单位", "整改时限", "涉及金额（万元）", "罚款（元）", "追回资金(万元)", "备注（万元）"]]
    match = locate_header(rows)
    assert match.wan_columns == {4, 6}  # 备注 holds no money, whatever its header says
    assert match.wan_fields == {"amount", "recovered_fund"}


def test_unit_line_above_the_table_puts_money_columns_in_wan():
    rows = [
        TITLE,
        [None, None, None, None, "金额单位：万元"],
        ["编号", "问题摘要", "牵头单位", "整改时限", "涉及金额", "罚款金额（元）"],
    ]
    match = locate_header(rows)
    assert match.wan_fields == {"amount"}  # a header saying 元 overrides the table's unit


def test_two_row_header_under_merged_group_cell():
    rows = [
        TITLE,
        ["序号", "问题摘要", "责任单位", "整改时限", "已整改金额（万元）", None, None, "备注"],
        [None, None, None, None, "追回/退回基金", "罚款", "违约金", None],
        [1, "串换项目", "县医保局", "30日", 1.2, 0.5, None, None],
    ]
    match = locate_header(rows)
    assert match.header_row == 1
    assert match.data_row == 3
    assert match.columns == {
        0: "number", 1: "summary", 2: "lead_unit", 3: "deadline",
        4: "recovered_fund", 5: "fines", 6: "penalty", 7: "remarks",
    }
    assert match.wan_fields == {"recovered_fund", "fines", "penalty"}
    assert match.unrecognised == ()
    assert match.labels["fines"] == "罚款"


def test_data_row_is_not_taken_for_a_second_header_row():
    rows = [
        ["编号", "问题摘要", "牵头单位", "整改时限", "备注"],
        ["1", "罚款", "县医保局", "30日", "罚款"],  # values that happen to be header names
    ]
    match = locate_header(rows)
    assert match.data_row == 1
    assert match.columns == {0: "number", 1: "summary", 2: "lead_unit", 3: "deadline", 4: "remarks"}


def test_row_of_column_ordinals_under_the_header_is_skipped():
    rows = [
        ["编号", "问题摘要", "牵头单位", "整改时限", "备注"],
        ["1", "2", "3", "4", "5"],
        ["1", "重复收费", "县医保局", "30日", None],
    ]
    assert locate_header(rows).data_row == 2


def test_best_matching_row_wins_over_a_row_with_one_known_word():
    rows = [
        ["备注：本表由各责任单位填写"],
        ["问题", None],
        ["编号", "问题摘要", "牵头单位", "整改时限"],
    ]
    assert locate_header(rows).header_row == 2


def test_missing_required_columns_are_listed_with_their_aliases():
    rows = [TITLE, ["序号", "问题描述", "整改措施"]]
    with pytest.raises(ValidationError) as error:
        locate_header(rows)
    message = str(error.value)
    assert "“问题摘要”" in message and "问题标题" in message
    assert "“牵头单位”" in message and "责任单位" in message and "责任部门" in message
    assert "“整改时限”" in message and "完成时限" in message and "整改期限" in message
    assert "“编号”" not in message


def test_two_columns_for_one_field_is_refused_naming_both():
    rows = [["编号", "问题摘要", "责任单位", "牵头单位", "整改时限"]]
    with pytest.raises(ValidationError) as error:
        locate_header(rows)
    assert "“责任单位”" in str(error.value) and "“牵头单位”" in str(error.value)


def test_no_header_at_all():
    rows = [TITLE, FILLED_BY, [1, "a", "b"]]
    with pytest.raises(ValidationError) as error:
        locate_header(rows)
    assert "未找到表头" in str(error.value)


def test_header_beyond_the_scanned_rows_is_not_found():
    rows = [[f"说明第{i}行"] for i in range(20)] + [["编号", "问题摘要", "牵头单位", "整改时限"]]
    with pytest.raises(ValidationError):
        locate_header(rows, max_scan=15)
    assert locate_header(rows, max_scan=25).header_row == 20
