"""Benchmark: import a 100,000-row .xlsx ledger on SQLite and PostgreSQL.

Target (issue 2): at most 30 s and 500 MB peak memory per import on the
2-core development machine. Each import runs the real command,
`rectify ledger import`, in a child process; the wall time is measured
around it and the peak resident memory is the child's ru_maxrss.

    .venv/bin/python bench/bench_import.py                 # both databases
    .venv/bin/python bench/bench_import.py --backend sqlite --rows 20000

The generated ledger is kept (in $TMPDIR/rectify-bench, outside the
repository) and reused while its row count matches. PostgreSQL is reached as in the tests (RECTIFY_TEST_PG_ADMIN,
default postgres@127.0.0.1:5432); the database `rectify_bench` is dropped
and created afresh for every run.
"""
import argparse
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

TARGET_SECONDS = 30
TARGET_MB = 500
from bench.common import fresh_database  # noqa: E402
PG_DATABASE = "rectify_bench"
SOURCE = "2025年度全市医保基金专项检查"
COORDINATOR = "王主任"
ANCHOR = "2025-03-03"

HEADERS = [
    "序号", "问题来源", "问题类别", "问题摘要", "问题描述", "涉及金额（元）", "定性依据", "整改要求", "整改类型",
    "被检查机构", "牵头单位", "配合单位", "责任领导", "责任人", "整改措施", "整改时限", "阶段节点", "整改进展",
    "追回/退回金额", "罚款金额", "状态", "销号日期", "备注",
]
COUNTIES = [f"{name}县" for name in (
    "安平 宝丰 长宁 大荔 恩平 丰城 固始 海阳 嘉禾 金乡 开阳 莱阳 临泉 蒙城 南丰 宁陵 平度 祁门 荣成 瑞金 "
    "商河 寿光 泰和 通许 万年 武乡 夏邑 新野 阳谷 永丰 沾化 章丘 鄄城 邹平 曹县 单县 成武 巨野 郓城 东明").split()]
DEPARTMENTS = ("医疗保障局", "卫生健康委员会", "财政局", "市场监督管理局", "公安局", "医疗保险事业中心")
HOSPITALS = ("人民医院", "中医院", "妇幼保健院")
TOWNS = "城关 东关 西湖 南街 北坡 柳林 杨庄 李集 王店 张楼".split()
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国 秀英 海燕 志强 丽娟 伟 芳 磊 静 军".split()
PROBLEMS = [
    ("重复收费", "重复收取{item}费用", "抽查{n}份住院病历，重复收取{item}费用{k}人次"),
    ("超标准收费", "超标准收取{item}费用", "{item}收费标准高于物价部门核定标准，涉及{k}人次"),
    ("串换项目", "将{item}串换为医保支付项目", "将不予支付的{item}串换为可支付项目结算，涉及{k}人次"),
    ("过度检查", "无指征开展{item}", "住院患者普遍开展{item}，无明确检查指征，涉及{k}人次"),
    ("挂床住院", "挂床住院", "夜间查房发现{k}名住院患者不在院，病历记载正常治疗"),
    ("分解住院", "分解住院", "同一患者出院后{n}日内再次以相同诊断入院，涉及{k}人次"),
    ("药品进销存不符", "药品进销存数据不符", "{item}等药品销售数量超过进货数量，差额{k}盒"),
    ("收费项目不明细", "收费项目不明细", "收取治疗费未列明具体项目，涉及{k}张票据"),
    ("内控制度不健全", "经办内控制度不健全", "待遇审核未实行初审复核分离，抽查{n}笔均由同一人办理"),
    ("数据不一致", "参保数据与账表不一致", "参保人数账表数与系统数相差{k}人"),
]
ITEMS = "CT检查 彩超 心电监护 血糖监测 静脉输液 康复理疗 中药饮片 一次性耗材 床位 护理".split()
BASES = ("《医疗保障基金使用监督管理条例》第三十八条", "《医疗保障基金使用监督管理条例》第四十条",
         "《医疗保障基金使用监督管理条例》第三十六条", "《定点医疗机构服务协议》第二十一条")
DIRECTIVES = ("责令限期改正，追回违规支付的医保基金", "责令改正，并处违规金额一倍罚款", "约谈机构负责人，责令整改",
              "建议完善内部控制制度")


def _units():
    departments = [f"{county}{kind}" for county in COUNTIES for kind in DEPARTMENTS]
    institutions = [f"{county}{kind}" for county in COUNTIES for kind in HOSPITALS]
    institutions += [f"{county}{town}镇卫生院" for county in COUNTIES[:20] for town in TOWNS[:5]]
    return departments, institutions


def _staff(county: int, index: int) -> str:
    """One of the four people of a county's bureau who answer for findings."""
    return f"{SURNAMES[(county + index) % 20]}{GIVEN[index]}"


def _deadline(rng: random.Random, index: int):
    form = index % 6
    if form == 0:
        return f"2025年{rng.randint(4, 12)}月{rng.randint(1, 28)}日"
    if form == 1:
        return f"{rng.randint(6, 12)}月{rng.randint(1, 28)}日前"
    if form == 2:
        return datetime(2025, rng.randint(4, 12), rng.randint(1, 28))  # an Excel date cell
    if form == 3:
        return f"{rng.choice((30, 60, 90))}日"
    if form == 4:
        return f"{rng.choice((5, 10, 15, 30))}个工作日"
    return "立行立改"


def _amount_cell(rng: random.Random, fen: int):
    yuan = fen / 100
    form = rng.randrange(3)
    if form == 0:
        return yuan
    if form == 1:
        return f"{yuan:,.2f}"
    return f"{fen / 1_000_000:.6f}".rstrip("0").rstrip(".") + "万"


def generate(path: Path, rows: int, seed: int = 2025) -> None:
    """A ledger of `rows` findings of a city-wide inspection, written in streaming mode."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    departments, institutions = _units()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("整改台账")
    sheet.append(["2025年度全市医保基金专项检查发现问题整改台账"])
    sheet.append(["填报单位：市医疗保障局（整改办）"] + [None] * 20 + ["填报日期：2025年3月3日"])
    sheet.append(HEADERS)
    for index in range(1, rows + 1):
        category, summary, description = rng.choice(PROBLEMS)
        item, n, k = rng.choice(ITEMS), rng.randint(10, 500), rng.randint(3, 900)
        county = rng.randrange(len(COUNTIES))
        lead = departments[county * len(DEPARTMENTS)]  # the county's 医疗保障局
        co = [departments[county * len(DEPARTMENTS) + j] for j in rng.sample(range(1, len(DEPARTMENTS)), rng.randint(0, 2))]
        fen = rng.randint(50_000, 500_000_000) if category not in ("内控制度不健全", "数据不一致") else None
        closed = rng.random() < 0.1
        status = "已销号" if closed else rng.choice(("待整改", "待整改", "待整改", "整改中", "部分整改"))
        milestone = "2025年6月30日 完成自查；2025年12月31日 完成整改" if index % 10 == 0 else None
        sheet.append([
            f"JC2025-{index:06d}", "专项治理", category, summary.format(item=item), description.format(item=item, n=n, k=k),
            _amount_cell(rng, fen) if fen else None, rng.choice(BASES), rng.choice(DIRECTIVES),
            rng.choice(("立行立改", "分阶段整改", "持续整改")), rng.choice(institutions), lead, "、".join(co) or None,
            f"{SURNAMES[county % 20]}局长", _staff(county, rng.randrange(4)),
            "对照问题清单逐项整改，追回违规资金" if status != "待整改" else None, _deadline(rng, index), milestone,
            "已追回部分违规资金" if status == "部分整改" else None,
            f"{fen / 100:.2f}" if closed and fen else None, None, status,
            f"2025年{rng.randint(4, 9)}月{rng.randint(1, 28)}日" if closed else None, None,
        ])
    workbook.save(path)


# ---------------------------------------------------------------- databases

def _prepare(url: str) -> None:
    """Schema, the inspection as a source, and the coordinator who imports."""
    from models.db import make_engine, upgrade
    from models.sources import add_source
    from models.units import add_person, add_unit

    engine = make_engine(url)
    upgrade(engine)
    now = datetime(2025, 3, 3, 9, 0)
    with Session(engine) as session, session.begin():
        add_source(session, title=SOURCE, kind="专项治理", doc_number="X医保发〔2025〕12号", issuer="市医疗保障局",
                   issued_on=date(2025, 2, 28), now=now)
        add_unit(session, name="市医疗保障局", kind=None, parent=None, email=None, wecom_robot=None,
                 dingtalk_robot=None, feishu_robot=None, now=now)
        add_person(session, name=COORDINATOR, unit="市医疗保障局", role="整改办")
    engine.dispose()


def _count_findings(url: str) -> int:
    from models.db import make_engine
    from models.ledger import Finding

    engine = make_engine(url)
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Finding)).one()
    engine.dispose()
    return count


def run_import(url: str, ledger: Path, workdir: Path) -> tuple[float, float, float, str]:
    """Run `rectify ledger import` as a child: (wall s, CPU s, peak RSS in MB, its output).

    The child's CPU time (user + system) is reported beside the wall time: on a
    shared machine the wall time also counts waiting for other processes."""
    command = [str(ROOT / ".venv" / "bin" / "rectify"), "ledger", "import", str(ledger), "--source", SOURCE,
               "--as", COORDINATOR, "--from", ANCHOR, "--year", "2025", "--now", "2025-03-03 09:00"]
    env = {**os.environ, "RECTIFY_DATABASE_URL": url}
    output = workdir / "import-output.txt"
    with output.open("w") as sink:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=workdir, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    text_out = output.read_text()
    if child.returncode != 0:
        raise SystemExit(f"import failed ({child.returncode}):\n{text_out[:2000]}")
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, usage.ru_maxrss / 1024, text_out  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "rectify-bench")
    args = parser.parse_args()

    args.workdir.mkdir(parents=True, exist_ok=True)
    ledger = args.workdir / f"ledger-{args.rows}.xlsx"
    if not ledger.exists():
        started = time.perf_counter()
        generate(ledger, args.rows)
        print(f"generated {ledger.name}: {ledger.stat().st_size / 2**20:.1f} MB in {time.perf_counter() - started:.1f} s")
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}")
    missed = False
    for backend in (("sqlite", "postgresql") if args.backend == "both" else (args.backend,)):
        url = fresh_database(backend, PG_DATABASE, args.workdir)
        _prepare(url)
        load = os.getloadavg()[0]
        seconds, cpu, peak_mb, output = run_import(url, ledger, args.workdir)
        count = _count_findings(url)
        ok = seconds <= TARGET_SECONDS and peak_mb <= TARGET_MB and count == args.rows
        missed |= not ok
        print(f"{backend:<10} {args.rows} rows: {seconds:6.1f} s wall ({cpu:.1f} s CPU, load {load:.1f}), "
              f"peak RSS {peak_mb:4.0f} MB, {count} findings in the database  {'OK' if ok else 'TARGET MISSED'}")
        print("           " + output.splitlines()[0])
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
