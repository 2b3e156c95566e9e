"""`caitien` command line. Every command upgrades the schema first, prints only its result on
stdout (JSON where stated), logs to stderr and exits non-zero with a one-line reason on bad
input."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.orm import Session

from bot.core.clock import SystemClock
from bot.core.config import Settings
from bot.core.i18n import translator
from bot.core.logs import setup_logging
from bot.documents.links import LinkCard, write_links_docx
from bot.documents.plan_export import write_docx, write_xlsx
from bot.documents.plan_import import NotAPlan, read_plan
from bot.documents.report import write_evidence_zip, write_report_docx
from bot.documents.staff import StaffListError, read_staff_list
from bot.domain.catalog import LEVELS, load_catalog
from bot.domain.invite_links import deep_link
from bot.domain.schoolyear import is_school_year
from bot.domain.templates import T2018, TT57
from bot.runtime.app import CannotStart, run
from bot.runtime.webhook import Webhook
from bot.services import (
    carryover,
    members,
    outbox,
    outbox_preview,
    owners,
    plan_json,
    schools,
    tt57_import,
    unit_digest,
    units,
    year_report,
)
from bot.services.files import FileStore
from bot.services.plan_json import export_plan
from bot.services.plans import (
    count_rows,
    ensure_plan,
    find_plan,
    latest_plan,
    owner_names,
    plan_document,
    regulation_of,
    row_at,
    template_of_year,
)
from bot.services.progress import row_progress, status_labels
from bot.services.schools import SchoolError, create_school
from db.models import Plan, Role, School, UnitKind, UnitMember
from db.session import Database

log = logging.getLogger("caitien")


class UsageError(Exception):
    """Bad input: reported as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (see `caitien COMMAND --help`)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="caitien",
        description="Telegram assistant for a school's quality-improvement plan.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run the bot (long polling, or a webhook)")
    run.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates on a webhook instead of long polling (see --url, --secret)",
    )
    run.add_argument("--url", help="the public https://HOST/PATH Telegram posts updates to")
    run.add_argument(
        "--secret", help="the secret Telegram sends with each update (1-256 of A-Za-z0-9_-)"
    )
    run.add_argument("--listen", help="the address to listen on (default 127.0.0.1)")
    run.add_argument("--port", type=int, help="the port to listen on (default 8443)")
    run.add_argument(
        "--now",
        help="start with the clock at this ISO moment, e.g. 2026-01-23T08:00+07:00 "
        "(it then runs on in real time)",
    )

    school = sub.add_parser("school", help="schools").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    create = school.add_parser("create", help="create a school; prints its principal code")
    create.add_argument("--name", required=True)
    create.add_argument("--level", required=True, choices=LEVELS)
    create.add_argument("--regulation", choices=load_catalog().codes())
    school.add_parser("list", help="list schools")
    setting = school.add_parser(
        "set",
        help="set a school's document settings (an empty value clears one); prints them as JSON",
    )
    setting.add_argument("--school", required=True, type=int)
    setting.add_argument(
        "--authority", help='the authority above the school\'s name, e.g. "UBND PHƯỜNG THỦ ĐỨC"'
    )
    setting.add_argument("--place", help='the place of the date line, e.g. "Thủ Đức"')
    setting.add_argument(
        "--symbol", help='the plan\'s symbol, e.g. "KH-THCSLQĐ" or "25/KH-THCSLQĐ"'
    )
    setting.add_argument("--principal-name", help="the principal's full name, as signed")
    setting.add_argument(
        "--regulation",
        help="the regulation the school's next plans follow, e.g. TT57-2026 (the plans it has "
        "keep their template)",
    )

    member = sub.add_parser("member", help="members").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    add = member.add_parser("add", help="add a member; prints their personal one-use code")
    add.add_argument("--school", required=True, type=int)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--title")
    listing = member.add_parser("list", help="list a school's members")
    listing.add_argument("--school", required=True, type=int)
    importing = member.add_parser("import", help="add the members of a staff list (CSV/XLSX)")
    importing.add_argument("file", type=Path)
    importing.add_argument("--school", required=True, type=int)
    importing.add_argument(
        "--links", type=Path, help="write a printable DOCX of links and QR codes"
    )
    importing.add_argument("--bot", help="the bot's username, for the links (with --links)")

    notify = sub.add_parser("notify", help="reminders and prompts").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    preview = notify.add_parser("preview", help="what the schedule would have sent up to --at")
    preview.add_argument("--school", required=True, type=int)
    preview.add_argument(
        "--at",
        required=True,
        help="a date or an ISO moment, e.g. 2027-05-15 (the end of that day) or "
        "2027-05-15T08:00; without an offset, in the school's timezone",
    )

    row = sub.add_parser("row", help="plan rows").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    assign = row.add_parser("assign", help="make members owners of a row")
    assign.add_argument("--school", required=True, type=int)
    assign.add_argument("--row", required=True, type=int, help="position, as in the export")
    assign.add_argument(
        "--member", required=True, type=int, nargs="+", help="one member id or several"
    )
    assign.add_argument("--lead", action="store_true", help="the (first) member leads the row")
    assign.add_argument("--year", help="school year (default: the latest plan)")
    assign.add_argument(
        "--now",
        help="the moment of the assignment, ISO with offset (default: the clock); the member "
        "is told then, once, when `caitien run` drains the outbox",
    )

    plan = sub.add_parser("plan", help="plans").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    importing_plan = plan.add_parser("import", help="import a plan from a .docx or .xlsx file")
    importing_plan.add_argument("file", type=Path)
    importing_plan.add_argument("--school", required=True, type=int)
    importing_plan.add_argument("--year", required=True, help="school year, e.g. 2024-2025")
    importing_plan.add_argument(
        "--replace", action="store_true", help="delete the plan's rows first (default: append)"
    )
    report = plan.add_parser("report", help="the end-of-year report (DOCX), evidence as a ZIP")
    report.add_argument("--school", required=True, type=int)
    report.add_argument("--year", help="school year (default: the latest plan)")
    report.add_argument("-o", "--output", type=Path, required=True, help="the report .docx")
    report.add_argument("--evidence", type=Path, help="also write the evidence files as a ZIP")
    carry = plan.add_parser(
        "carry-over",
        help="make next year's plan from this year's unfinished rows and open priority issues",
    )
    carry.add_argument("--school", required=True, type=int)
    carry.add_argument("--from", dest="from_year", required=True, help="e.g. 2026-2027")
    carry.add_argument("--to", dest="to_year", required=True, help="e.g. 2027-2028")
    carry.add_argument(
        "--append", action="store_true", help="add after the rows the new year's plan has"
    )
    export = plan.add_parser("export", help="export a plan")
    export.add_argument("--school", required=True, type=int)
    export.add_argument("--year", help="school year, e.g. 2025-2026 (default: the latest)")
    export.add_argument("--format", choices=["json", "docx", "xlsx"], default="json")
    export.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")

    unit = sub.add_parser(
        "unit", help="supervising units (commune/ward office, Sở)"
    ).add_subparsers(dest="action", required=True, parser_class=_Parser)
    unit_create = unit.add_parser("create", help="create a unit; prints its link code")
    unit_create.add_argument("--name", required=True)
    unit_create.add_argument("--kind", required=True, choices=[k.value for k in UnitKind])
    for action, text in (("link", "link a school to a unit"), ("unlink", "unlink a school")):
        linking = unit.add_parser(action, help=text)
        linking.add_argument("--unit", required=True, type=int)
        linking.add_argument("--school", required=True, type=int)
    unit_member = unit.add_parser("member", help="a unit's specialists").add_subparsers(
        dest="member_action", required=True, parser_class=_Parser
    )
    specialist = unit_member.add_parser(
        "add", help="add a specialist; prints their personal one-use code (/start CODE)"
    )
    specialist.add_argument("--unit", required=True, type=int)
    specialist.add_argument("--name", required=True)
    specialist.add_argument("--title")
    removing = unit_member.add_parser("remove", help="remove a specialist (they see nothing more)")
    removing.add_argument("--unit", required=True, type=int)
    removing.add_argument("--member", required=True, type=int)
    unit.add_parser("list", help="list units with their schools and specialists")
    digest = unit.add_parser("digest", help="the unit's schools at a moment, attention first")
    digest.add_argument("--unit", required=True, type=int)
    digest.add_argument(
        "--at", help="an ISO moment with offset, e.g. 2027-01-18T08:00+07:00 (default: now)"
    )
    digest.add_argument("--format", choices=["json"], default="json")
    return parser


def _print_json(data: Any, output: Path | None = None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")


def _webhook(settings: Settings, args: argparse.Namespace) -> Webhook | None:
    """The webhook of `run --webhook`: the options, else the settings (CAITIEN_WEBHOOK_*)."""
    if not args.webhook:
        return None
    url = args.url or settings.webhook_url
    secret = args.secret or settings.webhook_secret.get_secret_value()
    if not url or not secret:
        raise UsageError("--webhook needs --url and --secret (or CAITIEN_WEBHOOK_URL and _SECRET)")
    return Webhook(
        url,
        secret,
        args.listen or settings.webhook_listen,
        args.port or settings.webhook_port,
    )


def _school_create(db: Database, settings: Settings, args: argparse.Namespace) -> None:
    with db.transaction() as session:
        try:
            school, invite = create_school(
                session, args.name, args.level, args.regulation, settings.timezone
            )
        except SchoolError as exc:
            raise UsageError(str(exc)) from exc
        result = {
            "school_id": school.id,
            "name": school.name,
            "level": school.level,
            "regulation": school.regulation,
            "principal_code": invite.code,
            "start_command": f"/start {invite.code}",
        }
    _print_json(result)


def _school(session: Session, school_id: int) -> School:
    school = session.get(School, school_id)
    if school is None:
        raise UsageError(f"no school with id {school_id}")
    return school


def _plan(session: Session, school: School, year: str | None) -> Plan:
    if year and not is_school_year(year):
        raise UsageError(f"not a school year: {year!r} (write it like 2025-2026)")
    plan = find_plan(session, school.id, year) if year else latest_plan(session, school.id)
    if plan is None:
        raise UsageError(f"school {school.id} has no plan for {year or 'any year'}")
    return plan


def _school_set(db: Database, args: argparse.Namespace) -> None:
    with db.transaction() as session:
        school = _school(session, args.school)
        try:
            schools.set_document_settings(
                school,
                authority=args.authority,
                place=args.place,
                symbol=args.symbol,
                principal_name=args.principal_name,
            )
            if args.regulation is not None:
                schools.set_regulation(school, args.regulation)
        except SchoolError as exc:
            raise UsageError(str(exc)) from exc
        result = schools.settings_json(school)
    _print_json(result)


def _school_list(db: Database) -> None:
    with db.transaction() as session:
        result = [
            {
                "school_id": s.id,
                "name": s.name,
                "level": s.level,
                "regulation": s.regulation,
                "members": len(members.members(session, s.id)),
            }
            for s in schools.all_schools(session)
        ]
    _print_json(result)


def _member(db: Database, args: argparse.Namespace) -> None:
    with db.transaction() as session:
        school = _school(session, args.school)
        if args.action == "add":
            if not args.name.strip():
                raise UsageError("the name is empty")
            member, invite = members.add_member(session, school, args.name, args.role, args.title)
            result: Any = {
                "member_id": member.id,
                "invite_code": invite.code,
                "start_command": f"/start {invite.code}",
            }
        elif args.action == "list":
            result = [
                {
                    "member_id": m.id,
                    "name": m.display_name,
                    "role": m.role,
                    "title": m.title,
                    "joined": m.person_id is not None,
                }
                for m in members.members(session, school.id)
            ]
        else:
            try:
                entries = read_staff_list(args.file)
            except (OSError, StaffListError) as exc:
                raise UsageError(str(exc)) from exc
            if args.links and not args.bot:
                raise UsageError("--links needs --bot USERNAME (the bot's Telegram username)")
            result = []
            cards = []
            for entry in entries:
                member, invite = members.add_member(
                    session, school, entry.name, entry.role, entry.position
                )
                result.append(
                    {
                        "member_id": member.id,
                        "name": member.display_name,
                        "role": member.role,
                        "invite_code": invite.code,
                    }
                )
                url = deep_link(str(args.bot), invite.code)
                role = translator("vi")._(members.ROLE_LABELS[Role(member.role)])
                cards.append(LinkCard(member.display_name, role, member.title, url))
            if args.links:
                write_links_docx(args.links, school.name, cards)
    _print_json(result)


def _row_assign(db: Database, args: argparse.Namespace) -> None:
    now = _moment(args.now) if args.now else SystemClock().now()
    with db.transaction() as session:
        school = _school(session, args.school)
        plan = _plan(session, school, args.year)
        row = row_at(session, plan.id, args.row)
        if row is None:
            raise UsageError(f"plan {plan.school_year} has no row {args.row}")
        asked = list(dict.fromkeys(args.member))
        found = members.members_of(session, school.id, asked)
        missing = [m for m in asked if m not in found]
        if missing:
            raise UsageError(
                f"school {school.id} has no member {', '.join(str(m) for m in missing)}"
            )
        current = owners.owners_of(session, row.id)
        lead = next((o.member_id for o in current if o.is_lead), None)
        added = owners.set_owners(
            session,
            row,
            [*(o.member_id for o in current), *asked],
            asked[0] if args.lead else lead,
            None,
        )
        # Told once through the outbox, whenever `caitien run` next drains it.
        told = outbox.tell_assigned(session, row, added, None, now)
        result = {
            "row": row.position,
            "school_year": plan.school_year,
            "notified": bool(told),
            "added": added,
            "owners": [
                {"member_id": o.member_id, "name": o.member.display_name, "lead": o.is_lead}
                for o in owners.owners_of(session, row.id)
            ],
        }
    _print_json(result)


def _plan_import(db: Database, args: argparse.Namespace) -> None:
    if not is_school_year(args.year):
        raise UsageError(f"not a school year: {args.year!r} (write it like 2025-2026)")
    try:
        data = args.file.read_bytes()
        result = read_plan(data, args.file.name)
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from exc
    except NotAPlan as exc:
        raise UsageError(f"{args.file.name}: {exc}") from exc
    with db.transaction() as session:
        school = _school(session, args.school)
        regulation = regulation_of(school)
        if result.template == TT57:  # the criterion codes of this school's catalog
            result = read_plan(data, args.file.name, regulation)
        plan_template = template_of_year(session, school, args.year)
        try:
            tt57_import.check_template(result.template, plan_template)
        except tt57_import.TemplateMismatch as exc:
            raise UsageError(
                f"{args.file.name}: {_LAYOUTS[result.template]}, but the plan of {args.year} "
                f"is {_LAYOUTS[plan_template]}; nothing was imported"
            ) from exc
        plan = ensure_plan(session, school, args.year)
        existing = count_rows(session, plan.id)
        imported = tt57_import.import_plan(
            session, plan, result, None, regulation, replace=args.replace
        )
        warnings = list(result.warnings)
        if existing and not args.replace:
            warnings.append(f"appended after the plan's {existing} existing rows")
        data_out: dict[str, Any] = {
            "plan_id": plan.id,
            "rows": len(imported.rows),
            "warnings": warnings,
        }
        if result.template == TT57:
            data_out.update(
                template=TT57,
                priority_issues=imported.issues,
                monitoring=imported.reviews,
                linked=imported.linked,
                sections=sorted(result.sections),
            )
    _print_json(data_out)


_LAYOUTS = {
    T2018: "the 2018 layout (nine columns)",
    TT57: "Biểu 2 of Thông tư 57/2026 (ten columns)",
}


def _plan_carry_over(db: Database, args: argparse.Namespace) -> None:
    with db.transaction() as session:
        school = _school(session, args.school)
        try:
            done = carryover.carry_over(
                session, school, args.from_year, args.to_year, append=args.append
            )
        except carryover.CarryOverError as exc:
            raise UsageError(str(exc)) from exc
        result = done.as_json()
    _print_json(result)


def _moment(text: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"not an ISO moment: {text!r}") from exc
    if at.tzinfo is None:
        raise UsageError(f"give the offset too, e.g. {text}+07:00")
    return at


def _school_moment(text: str, tz: ZoneInfo) -> dt.datetime:
    """An ISO moment; without an offset it is in the school's timezone, and a date alone
    means the end of that day there ("2027-05-15": everything due that day is included)."""
    try:
        if len(text.strip()) == 10:
            day = dt.date.fromisoformat(text.strip())
            return dt.datetime.combine(day, dt.time.max, tz)
        at = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"not an ISO date or moment: {text!r}") from exc
    return at if at.tzinfo is not None else at.replace(tzinfo=tz)


def _notify_preview(db: Database, args: argparse.Namespace) -> None:
    with db.transaction() as session:
        school = _school(session, args.school)
        at = _school_moment(args.at, ZoneInfo(school.timezone))
        result = outbox_preview.preview(session, school, at)
    _print_json(result)


def _plan_report(db: Database, settings: Settings, args: argparse.Namespace) -> None:
    with db.transaction() as session:
        school = _school(session, args.school)
        plan = _plan(session, school, args.year)
        document = plan_document(session, school, plan, dt.datetime.now(settings.tz).date())
        progress = row_progress(session, plan.id, document.rows)
        tt57 = year_report.facts(session, plan, progress)  # None for a 2018 plan
        store = FileStore(settings.files_dir)
        args.output.write_bytes(write_report_docx(document, progress, store.read, tt57))
        result: dict[str, Any] = {
            "file": str(args.output),
            "rows": len(progress),
            "done": sum(1 for p in progress if p.status == "done"),
        }
        if args.evidence:
            args.evidence.write_bytes(write_evidence_zip(progress, store.read, tt57))
            result["evidence"] = str(args.evidence)
            result["evidence_files"] = sum(len(r.evidence) for p in progress for r in p.reports)
    _print_json(result)


def _plan_export(db: Database, settings: Settings, args: argparse.Namespace) -> None:
    with db.transaction() as session:
        school = _school(session, args.school)
        plan = _plan(session, school, args.year)
        if args.format == "json":
            data = export_plan(session, school, plan)
        else:
            if args.output is None:
                raise UsageError(f"--format {args.format} writes a file: give -o FILE")
            document = plan_json.document(
                session, school, plan, dt.datetime.now(settings.tz).date()
            )
            content = (
                write_docx(document)
                if args.format == "docx"
                else write_xlsx(
                    document, owner_names(session, plan), status_labels(session, document.rows)
                )
            )
    if args.format != "json":
        args.output.write_bytes(content)
        _print_json({"file": str(args.output), "rows": len(document.rows)})
        return
    _print_json(data, args.output)


def _unit(db: Database, args: argparse.Namespace) -> None:
    now = SystemClock().now()
    with db.transaction() as session:
        try:
            result = _unit_action(session, args, now)
        except units.UnitError as exc:
            raise UsageError(str(exc)) from exc
    _print_json(result)


def _unit_action(session: Session, args: argparse.Namespace, now: dt.datetime) -> Any:
    if args.action == "create":
        made = units.create_unit(session, args.name, args.kind, now)
        return {
            "unit_id": made.id,
            "name": made.name,
            "kind": made.kind,
            "link_code": made.link_code,
        }
    if args.action == "list":
        return units.listing(session)
    unit = units.get_unit(session, args.unit)
    if args.action in ("link", "unlink"):
        school = _school(session, args.school)
        if args.action == "link":
            units.link(session, unit, school, now)
        else:
            units.unlink(session, unit, school)
        return {"unit_id": unit.id, "school_id": school.id, "linked": args.action == "link"}
    if args.action == "digest":
        at = _moment(args.at) if args.at else now
        found = unit_digest.build(session, unit.id, at)
        assert found is not None  # the unit exists
        return found.json()
    if args.member_action == "add":
        member = units.add_specialist(session, unit, args.name, now, args.title)
        return {
            "member_id": member.id,
            "unit_id": unit.id,
            "name": member.display_name,
            "invite_code": member.invite_code,
        }
    specialist = session.get(UnitMember, args.member)
    if specialist is None or specialist.unit_id != unit.id:
        raise UsageError(f"unit {unit.id} has no member {args.member}")
    units.remove_specialist(session, specialist)
    return {"member_id": specialist.id, "unit_id": unit.id, "active": False}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        sys.stderr.write(f"caitien: bad configuration: {exc.errors()[0]['msg']}\n")
        return 2
    setup_logging(settings.log_level, [settings.token()])
    try:
        if args.command == "run":
            if not settings.token():
                raise UsageError("TELEGRAM_BOT_TOKEN is not set")
            run(settings, _moment(args.now) if args.now else None, _webhook(settings, args))
            return 0
        db = Database(settings.database_url)
        db.upgrade()
        if args.command == "school" and args.action == "list":
            _school_list(db)
        elif args.command == "school" and args.action == "set":
            _school_set(db, args)
        elif args.command == "school":
            _school_create(db, settings, args)
        elif args.command == "member":
            _member(db, args)
        elif args.command == "notify":
            _notify_preview(db, args)
        elif args.command == "row":
            _row_assign(db, args)
        elif args.command == "plan" and args.action == "report":
            _plan_report(db, settings, args)
        elif args.command == "plan" and args.action == "import":
            _plan_import(db, args)
        elif args.command == "plan" and args.action == "carry-over":
            _plan_carry_over(db, args)
        elif args.command == "plan":
            _plan_export(db, settings, args)
        elif args.command == "unit":
            _unit(db, args)
        return 0
    except (UsageError, CannotStart) as exc:
        sys.stderr.write(f"caitien: {exc}\n")
        return 2
