"""The fixed list of violation categories (问题类别) and the article each falls under.

From the 2021 regulation (医疗保障基金使用监督管理条例) and common agency
findings. The list seeds the `category` table; coordinators can add more
there (`rectify category add`), so code must not assume this list is all.
"""
from typing import NamedTuple


class CategorySeed(NamedTuple):
    name: str
    article: int | None  # 条例 article the conduct falls under, None for agency-management findings
    keywords: tuple[str, ...]  # words that suggest this category in a finding's text


INSTITUTION_CATEGORIES = (
    CategorySeed("重复收费", 38, ("重复收费", "重复计费")),
    CategorySeed("超标准收费", 38, ("超标准收费", "加成率", "提高收费标准", "加价率", "违规加价")),
    CategorySeed("分解收费", 38, ("分解收费", "分解项目收费")),
    CategorySeed("串换项目", 38, ("串换", "套用项目", "串换药品")),
    CategorySeed("超范围/目录外支付", 38, ("目录外", "超范围", "超医院级别", "越级报销", "不予补偿的项目")),
    CategorySeed("分解住院", 38, ("分解住院",)),
    CategorySeed("挂床住院", 38, ("挂床",)),
    CategorySeed("诱导住院", 40, ("诱导住院", "诱导")),
    CategorySeed("过度诊疗", 38, ("过度诊疗", "过度治疗")),
    CategorySeed("过度检查", 38, ("过度检查",)),
    CategorySeed("虚构医疗服务", 40, ("虚构", "虚假住院", "虚增")),
    CategorySeed("伪造医疗文书票据", 40, ("伪造", "变造", "假票据", "假发票")),
    CategorySeed("冒名就医", 40, ("冒名",)),
    CategorySeed("盗刷/代刷医保卡", 40, ("盗刷", "代刷")),
    CategorySeed("违规销售非药品", 38, ("日用品", "食品", "非药品")),
    CategorySeed("药品进销存不符", 38, ("进销存", "进、销、存")),
    CategorySeed("未履行告知义务", 39, ("知情同意", "自费药品", "告知")),
    CategorySeed("收费项目不明细", 39, ("不明细", "收费明细")),
)

AGENCY_CATEGORIES = (
    CategorySeed("内控制度不健全", 36, ("内控", "内部控制", "制度不健全", "管理不规范")),
    CategorySeed("基金结余过大", 36, ("结余过大", "累计结余", "结存")),
    CategorySeed("报销范围扩大", 36, ("报销范围", "纳入了统筹范围", "用药范围扩大", "扩大")),
    CategorySeed("重复参保", 36, ("重复参保",)),
    CategorySeed("数据不一致", 36, ("不一致", "数据不对应", "信息错误", "录入信息不准确", "数据错误")),
    CategorySeed("配套资金拨付不及时", None, ("拨付不及时", "配套资金", "未及时拨付")),
    CategorySeed("征缴不足", None, ("征缴", "少征", "应收未收")),
    CategorySeed("政策衔接不到位", None, ("不衔接", "衔接")),
)

OTHER = CategorySeed("其他", None, ())

SEED_CATEGORIES = INSTITUTION_CATEGORIES + AGENCY_CATEGORIES + (OTHER,)
