"""Documents from the database: the figures of models/report_figures.py, the
[documents] configuration and a document number, handed to the Word builders
of notices/documents; delivery of reports to leadership; the monthly report.

Every `write_<document>(session, settings, now, …, path=None) -> Path` reads
in the caller's session (use report_figures.snapshot_session, so all its
queries see one state of the database) and writes one .docx, by default into
`<data_dir>/reports/`.

Document numbers (发文字号): 机关代字〔year〕serial号. The 代字 of each kind is
`[documents.prefixes] <kind>`, by default `doc_prefix` plus a suffix (报告
报, 督办通知单 督, 约谈通知书 约, 通报 通, 问责移送函 函). Serials count per 代字
and year from 1, in the order documents are first written, and are kept in
`<data_dir>/reports/发文登记.json` under a key naming the document (e.g.
"report:全部:2026-03-31", "interview:3"): writing the same document again
gives it the same number. An issued 通报 keeps the number recorded when it
was issued (`rectify circular issue --doc-number`). `serial=` overrides.
"""
from __future__ import annotations

import json
import os
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree

from sqlmodel import Session, select

from models import report_figures as rf
from models.errors import ValidationError
from models.ledger import Finding, Person, Unit
from models.lookup import find_finding
from models.outbox import enqueue
from models.routing import routes_for
from models.vocab import Role
from notices.context import Attachment, NoticeContext, Recipient
from notices.documents.data import (
    Circular, ClosureReport, DocHeader, InterviewNotice, Issuer, LeagueTable, Outcome, Referral, SignOffForm,
    SupervisionNotice,
)
from notices.documents.wording import cn_date, percent, shares

SECTION = "documents"
REPORTS_FOLDER = "reports"
REGISTER_FILE = "发文登记.json"
# key: (what it is, example) — for the error naming a missing key.
REQUIRED = {
    "issuer": ("发文机关名称", "XX县医疗保障局"),
    "doc_prefix": ("机关代字，文号由系统加上〔年份〕和序号", "X医保"),
    "addressee": ("整改情况报告的主送机关", "县人民政府"),
}
OPTIONAL = {
    "signature": "",  # 署名, when it differs from the issuer
    "letterhead": "",  # 发文机关标志, default "<issuer>文件"
    "signer": "",  # 签发人 on the closure report
    "discipline_body": "县纪委监委",  # 问责移送函 goes here
    "circular_addressee": "各责任单位",
    "contact": "",  # 联系人及电话 on notices; default the first coordinator and their mobile
    "reply_within": 5,  # working days a 督办通知单 gives to report back
    "organisation": [],  # paragraphs on how the work is organised, for 一、总体情况
    "prefixes": {},  # 代字 per document kind, see PREFIX_SUFFIX
}
PREFIX_SUFFIX = {"report": "报", "supervision": "督", "interview": "约", "circular": "通", "referral": "函"}
LEAGUE_TITLE = "各责任单位整改销号情况排名表"
CIRCULAR_TITLE = "关于审计和检查发现问题整改进展情况的通报"


# ---------------------------------------------------------------- configuration

@dataclass(frozen=True)
class DocumentsConfig:
    issuer: Issuer
    prefixes: dict[str, str]
    signer: str
    circular_addressee: str
    contact: str
    reply_within: int
    organisation: tuple[str, ...]


def documents_config(settings) -> DocumentsConfig:
    """The [documents] section, checked: a clear Chinese error names a missing or unknown key."""
    section = settings.section(SECTION)
    where = f"配置文件{f' {settings.config_path}' if settings.config_path else '（rectify.toml）'}"
    for key, (meaning, example) in REQUIRED.items():
        value = section.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"{where}的 [{SECTION}] 缺少 {key}（{meaning}），请添加，例如：{key} = \"{example}\"")
    unknown = sorted(set(section) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise ValidationError(f"{where}的 [{SECTION}] 有无法识别的配置项：{'、'.join(unknown)}"
                              f"（可用：{'、'.join([*REQUIRED, *OPTIONAL])}）")
    value = {**OPTIONAL, **section}
    prefixes = value["prefixes"]
    if not isinstance(prefixes, dict) or set(prefixes) - set(PREFIX_SUFFIX):
        raise ValidationError(f"{where}的 [{SECTION}.prefixes] 只能包含：{'、'.join(PREFIX_SUFFIX)}")
    reply_within = value["reply_within"]
    if not isinstance(reply_within, int) or isinstance(reply_within, bool) or reply_within < 1:
        raise ValidationError(f"{where}的 [{SECTION}] reply_within 应为正整数（督办通知单的报送期限，工作日）")
    organisation = value["organisation"]
    if isinstance(organisation, str):
        organisation = [organisation]
    issuer = Issuer(name=value["issuer"].strip(), doc_prefix=value["doc_prefix"].strip(),
                    addressee=value["addressee"].strip(), signature=value["signature"],
                    letterhead=value["letterhead"], discipline_body=value["discipline_body"])
    return DocumentsConfig(
        issuer=issuer,
        prefixes={kind: prefixes.get(kind) or issuer.doc_prefix + suffix for kind, suffix in PREFIX_SUFFIX.items()},
        signer=value["signer"], circular_addressee=value["circular_addressee"], contact=value["contact"],
        reply_within=reply_within, organisation=tuple(organisation))


def reports_dir(settings) -> Path:
    return Path(settings.data_dir) / REPORTS_FOLDER


# ---------------------------------------------------------------- document numbers

@contextmanager
def _locked(path: Path):
    """An exclusive lock on `path` while the register is read and rewritten (POSIX; elsewhere none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: documents are numbered by one process at a time in practice
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def serial_for(settings, prefix: str, year: int, key: str, fixed: int | None = None,
               taken: frozenset[int] = frozenset()) -> int:
    """The serial of document `key` under 代字 `prefix` in `year`: the one it was given before,
    else the next one after those registered and `taken` (or `fixed`, recorded for next time)."""
    path = reports_dir(settings) / REGISTER_FILE
    with _locked(path):
        register = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        numbers = register.setdefault(f"{prefix}〔{year}〕", {})
        if fixed is not None:
            if fixed < 1:
                raise ValidationError(f"发文序号 {fixed} 无效，应为正整数")
            numbers[key] = fixed
        elif key not in numbers:
            numbers[key] = max([*numbers.values(), *taken], default=0) + 1
        serial = numbers[key]
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(register, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)
    return serial


def _header(settings, cfg: DocumentsConfig, kind: str, key: str, issued_on: date, serial: int | None = None,
            taken: frozenset[int] = frozenset(), **kw) -> DocHeader:
    prefix = cfg.prefixes[kind]
    issuer = replace(cfg.issuer, doc_prefix=prefix)
    return DocHeader(issuer=issuer, serial=serial_for(settings, prefix, issued_on.year, key, serial, taken),
                     issued_on=issued_on, **kw)


DOC_NUMBER = re.compile(r"^(?P<prefix>[^〔〕\[\]［］]+)〔(?P<year>\d{4})〕(?P<serial>\d+)号$")


def _safe(text: str) -> str:
    """`text` usable in a file name on any system."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_")


def _target(settings, path, name: str) -> Path:
    return Path(path) if path is not None else reports_dir(settings) / f"{_safe(name)}.docx"


def _finding(session: Session, finding: Finding | str) -> Finding:
    return find_finding(session, finding) if isinstance(finding, str) else finding


def _contact(session: Session, cfg: DocumentsConfig) -> str:
    if cfg.contact:
        return cfg.contact
    person = session.exec(select(Person).where(Person.role == Role.COORDINATOR, Person.active)
                          .order_by(Person.id)).first()
    if person is None:
        return ""
    return f"{person.name}" + (f"，电话 {person.mobile}" if person.mobile else "")


# ---------------------------------------------------------------- the closure report and the league table

def scope_label(scope: rf.Scope) -> str:
    if scope.source is not None:
        return scope.source.doc_number or scope.source.title
    if scope.start is not None:
        return f"{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"
    return "全部"


def closure_title(scope: rf.Scope, sources) -> str:
    if scope.start is not None:
        return f"关于{cn_date(scope.start)}至{cn_date(scope.end)}审计和检查发现问题整改情况的报告"
    if len(sources) == 1:
        return f"关于{sources[0].title}发现问题整改情况的报告"
    return "关于医疗保障基金审计和检查发现问题整改情况的报告"


def closure_report(session: Session, settings, now: datetime, *, source: str | None = None,
                   start: date | None = None, end: date | None = None, title: str | None = None,
                   serial: int | None = None) -> tuple[ClosureReport, Path]:
    """The 整改情况报告's data, for one source (文号 or title), a period, or everything,
    and the file it goes to by default."""
    cfg = documents_config(settings)
    scope = rf.resolve_scope(session, source, start, end)
    as_of = now.date()
    rf.check_not_before_last_change(session, scope, as_of)
    figures = rf.headline_figures(session, scope, as_of)
    if not figures.total:
        raise ValidationError(f"统计范围（{scope_label(scope)}）内没有问题，不生成整改情况报告")
    sources = rf.source_refs(session, scope)
    header = _header(settings, cfg, "report", f"report:{scope_label(scope)}:{as_of}", as_of, serial,
                     signer=cfg.signer)
    report = ClosureReport(
        header=header, title=title or closure_title(scope, sources), as_of=as_of, sources=sources,
        findings=rf.finding_rows(session, scope, as_of), figures=figures,
        units=rf.unit_stats(session, scope, as_of), enforcement=rf.enforcement(session, scope, now),
        organisation=cfg.organisation, period=(scope.start, scope.end) if scope.start else None)
    return report, _target(settings, None, f"整改情况报告-{scope_label(scope)}-{as_of:%Y%m%d}")


def write_closure_report(session: Session, settings, now: datetime, *, source: str | None = None,
                         start: date | None = None, end: date | None = None, title: str | None = None,
                         serial: int | None = None, path=None) -> Path:
    from notices.documents.closure_report import build_closure_report

    report, default = closure_report(session, settings, now, source=source, start=start, end=end, title=title,
                                     serial=serial)
    return build_closure_report(report, path or default)


def write_league_table(session: Session, settings, now: datetime, *, source: str | None = None,
                       start: date | None = None, end: date | None = None, path=None) -> Path:
    from notices.documents.league_table import build_league_table

    cfg = documents_config(settings)
    scope = rf.resolve_scope(session, source, start, end)
    as_of = now.date()
    rf.check_not_before_last_change(session, scope, as_of)
    table = LeagueTable(title=LEAGUE_TITLE, as_of=as_of, units=rf.unit_stats(session, scope, as_of),
                        compiled_by=cfg.issuer.signed_by, compiled_on=as_of)
    return build_league_table(table, _target(settings, path, f"整改销号情况排名表-{scope_label(scope)}-{as_of:%Y%m%d}"))


# ---------------------------------------------------------------- one finding

def write_signoff_form(session: Session, settings, now: datetime, finding: Finding | str, path=None) -> Path:
    """整改销号审批表: the boxes filled from the recorded sign-off of the current request."""
    from notices.documents.signoff_form import build_signoff_form

    cfg = documents_config(settings)
    finding = _finding(session, finding)
    row = rf.finding_row(session, finding, now.date())
    serial = serial_for(settings, f"{cfg.issuer.doc_prefix}销号审批", now.year, f"signoff:{finding.id}")
    form = SignOffForm(finding=row, events=rf.signoff_events(session, finding.id, now),
                       form_number=f"{now.year}-{serial:03d}", issuer=cfg.issuer)
    return build_signoff_form(form, _target(settings, path, f"整改销号审批表-{row.number}"))


def write_supervision_notice(session: Session, settings, now: datetime, finding: Finding | str,
                             serial: int | None = None, path=None) -> Path:
    """督办通知单 to the finding's lead unit, at the level of the latest step it reached."""
    from models.calendar import WorkCalendar
    from notices.documents.supervision_notice import build_supervision_notice

    cfg = documents_config(settings)
    finding = _finding(session, finding)
    facts = rf.supervision_facts(session, finding, now)
    today = now.date()
    calendar = WorkCalendar(settings.path_setting("calendar", "override_file"))
    header = _header(settings, cfg, "supervision", f"supervision:{finding.id}:{finding.cycle}:{facts.level}",
                     today, serial, addressee=facts.unit)
    notice = SupervisionNotice(header=header, unit=facts.unit, findings=facts.findings, as_of=today,
                               reply_by=calendar.add_workdays(today, cfg.reply_within), level=facts.level,
                               contact=_contact(session, cfg))
    return build_supervision_notice(
        notice, _target(settings, path, f"{facts.level}通知单-{facts.findings[0].number}-{today:%Y%m%d}"))


# ---------------------------------------------------------------- formal acts

def write_interview_notice(session: Session, settings, now: datetime, interview_id: int,
                           serial: int | None = None, path=None) -> Path:
    from notices.documents.interview_notice import build_interview_notice

    cfg = documents_config(settings)
    facts = rf.interview_facts(session, interview_id, now)
    header = _header(settings, cfg, "interview", f"interview:{interview_id}", facts.issued_on, serial,
                     addressee=facts.unit)
    notice = InterviewNotice(header=header, unit=facts.unit, interviewee=facts.interviewee,
                             interviewers=facts.interviewer, at=facts.at, place=facts.place,
                             findings=facts.findings, as_of=facts.issued_on, contact=_contact(session, cfg))
    return build_interview_notice(notice, _target(settings, path, f"约谈通知书-{interview_id}-{facts.unit}"))


def _circular_header(session: Session, settings, cfg: DocumentsConfig, facts: rf.CircularFacts,
                     serial: int | None, issued_on: date) -> DocHeader:
    """An issued circular keeps the number recorded when it was issued, if it reads 代字〔年〕N号;
    others are numbered after every number recorded on an issued circular."""
    match = DOC_NUMBER.match(facts.doc_number or "")
    if serial is None and match and int(match["year"]) == issued_on.year:
        return DocHeader(issuer=replace(cfg.issuer, doc_prefix=match["prefix"]), serial=int(match["serial"]),
                         issued_on=issued_on, addressee=cfg.circular_addressee)
    prefix = cfg.prefixes["circular"]
    taken = frozenset(int(m["serial"]) for m in map(DOC_NUMBER.match, rf.circular_numbers(session))
                      if m and m["prefix"] == prefix and int(m["year"]) == issued_on.year)
    return _header(settings, cfg, "circular", f"circular:{facts.circular_id}", issued_on, serial, taken,
                   addressee=cfg.circular_addressee)


def write_circular(session: Session, settings, now: datetime, circular_id: int, serial: int | None = None,
                   path=None) -> Path:
    from notices.documents.circular import build_circular

    cfg = documents_config(settings)
    facts = rf.circular_facts(session, circular_id, now)
    issued_on = facts.issued_on or now.date()
    fig = facts.figures
    counts = [fig.by_outcome[o] for o in Outcome]
    pct = shares(counts)
    overview = (
        f"截至{cn_date(facts.as_of)}，列入整改台账的问题共{fig.total}个，已整改{counts[0]}个，占{pct[0]}；"
        f"正在整改（含部分整改）{counts[1]}个，占{pct[1]}；未整改{counts[2]}个，占{pct[2]}。"
        f"已到整改时限或已销号的{fig.due}个问题中，按期销号{fig.closed_on_time}个，按期销号率"
        f"{percent(Decimal(fig.closed_on_time) / fig.due if fig.due else None)}",
    )
    circular = Circular(header=_circular_header(session, settings, cfg, facts, serial, issued_on), title=CIRCULAR_TITLE,
                        as_of=facts.as_of, overview=overview, commended=facts.commended,
                        criticised=facts.criticised, league=facts.league)
    return build_circular(circular, _target(settings, path, f"通报-{circular_id}-{issued_on:%Y%m%d}"))


def write_referral(session: Session, settings, now: datetime, referral_id: int, serial: int | None = None,
                   path=None) -> Path:
    from notices.documents.referral import build_referral

    cfg = documents_config(settings)
    facts = rf.referral_facts(session, referral_id, now)
    header = _header(settings, cfg, "referral", f"referral:{referral_id}", facts.as_of, serial,
                     addressee=cfg.issuer.discipline_body)
    referral = Referral(header=header, unit=facts.unit, responsible=facts.responsible, findings=facts.findings,
                        history=facts.history, as_of=facts.as_of, enclosures=facts.enclosures)
    return build_referral(referral, _target(settings, path, f"问责移送函-{referral_id}-{facts.unit}"))


# ---------------------------------------------------------------- delivery

class Delivery(NamedTuple):
    key: str
    channel: str
    target: str
    recipient: str
    queued: bool  # False: the same report was already queued to this route


def docx_title(path: Path) -> str:
    """The title in the document's properties (the builders set it), else the file name."""
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("docProps/core.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return path.stem
    title = root.find("{http://purl.org/dc/elements/1.1/}title")
    return (title.text or "").strip() if title is not None and title.text else path.stem


def deliver_report(session: Session, settings, now: datetime, path, title: str | None = None) -> list[Delivery]:
    """Queue the report to every leader (分管领导): one report_delivery notice per route, the
    .docx attached, keyed f"report:{path.name}:{channel}:{target}" (queued once however often
    this runs). The caller commits. No leader registered: nothing is queued."""
    from models.sweep import Office, recipient_of

    path = Path(path).resolve()
    if not path.is_file():
        raise ValidationError(f"报告文件 {path} 不存在")
    title = title or docx_title(path)
    office = Office(session)
    routes: dict = {}
    for person, unit in session.exec(select(Person, Unit).join(Unit, Unit.id == Person.unit_id)
                                     .where(Person.role == Role.LEADER, Person.active).order_by(Person.id)):
        for route in routes_for(unit, person):
            routes.setdefault(route, []).append(recipient_of(person, unit))
    attachment = Attachment(str(path))
    deliveries = []
    for route, recipients in routes.items():
        recipient = recipients[0] if len(recipients) == 1 else Recipient(
            name="、".join(r.name for r in recipients), unit="、".join(dict.fromkeys(r.unit for r in recipients)))
        context = NoticeContext(kind="report_delivery", recipient=recipient, office=office.name,
                                issued_on=now.date(), contact=office.contact,
                                extra={"report_title": title, "mentions": [r.to_dict() for r in recipients]},
                                attachments=(attachment,))
        key = f"report:{path.name}:{route.channel}:{route.target}"
        shown = "、".join(f"{r.unit}{r.name}" for r in recipients)
        new = enqueue(session, key=key, kind="report_delivery", channel=route.channel, target=route.target,
                      recipient=shown[:300], context=context.to_dict(), now=now, attachment_path=str(path))
        deliveries.append(Delivery(key, route.channel, route.target, shown, new is not None))
    return deliveries


def delivery_lines(deliveries: list[Delivery]) -> list[str]:
    if not deliveries:
        return ["未登记分管领导（角色“分管领导”），报告未送达；可用 rectify person add 登记后重新送达。"]
    return [f"送达 {d.recipient}：{d.channel}:{d.target}（{'已加入发送队列' if d.queued else '此前已加入发送队列'}）"
            for d in deliveries]


def periodic_report(engine, settings, now: datetime) -> list[str]:
    """The monthly 整改情况报告 for everything, written into <data_dir>/reports/ and queued to
    leadership in one transaction; Chinese log lines. Running it again the same day rewrites
    the file and queues nothing twice."""
    from notices.documents.closure_report import build_closure_report

    with rf.snapshot_session(engine) as session:
        if not rf.headline_figures(session, rf.Scope(), now.date()).total:
            return ["台账中没有问题，本期不生成整改情况报告。"]
        report, path = closure_report(session, settings, now)
        build_closure_report(report, path)
        deliveries = deliver_report(session, settings, now, path, report.title)
    fig = report.figures
    lines = [f"已生成整改情况报告《{report.title}》（{report.header.doc_number}，统计截至{cn_date(report.as_of)}）："
             f"{path}",
             f"问题{fig.total}个：已整改{fig.by_outcome[Outcome.CLOSED]}个，正在整改{fig.by_outcome[Outcome.IN_PROGRESS]}个，"
             f"未整改{fig.by_outcome[Outcome.NOT_STARTED]}个"]
    return lines + delivery_lines(deliveries)
