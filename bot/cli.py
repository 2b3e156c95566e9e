"""`caitien` command line. Every command upgrades the schema first, prints only its result on
stdout (JSON where stated), logs to stderr and exits non-zero with a one-line reason on bad
input."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

from pydantic import ValidationError

from bot.catalog import LEVELS, load_catalog
from bot.config import Settings
from bot.logs import setup_logging
from bot.people import SchoolError, create_school
from bot.plans import export_plan, find_plan, latest_plan
from bot.schoolyear import is_school_year
from db.models import School
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
    sub.add_parser("run", help="run the bot (long polling)")

    school = sub.add_parser("school", help="schools").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    create = school.add_parser("create", help="create a school; prints its principal code")
    create.add_argument("--name", required=True)
    create.add_argument("--level", required=True, choices=LEVELS)
    create.add_argument("--regulation", choices=load_catalog().codes())

    plan = sub.add_parser("plan", help="plans").add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    export = plan.add_parser("export", help="export a plan")
    export.add_argument("--school", required=True, type=int)
    export.add_argument("--year", help="school year, e.g. 2025-2026 (default: the latest)")
    export.add_argument("--format", choices=["json"], default="json")
    export.add_argument("-o", "--output", type=Path, help="write to FILE instead of stdout")
    return parser


def _print_json(data: Any, output: Path | None = None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        sys.stdout.write(text + "\n")


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


def _plan_export(db: Database, args: argparse.Namespace) -> None:
    with db.transaction() as session:
        school = session.get(School, args.school)
        if school is None:
            raise UsageError(f"no school with id {args.school}")
        if args.year and not is_school_year(args.year):
            raise UsageError(f"not a school year: {args.year!r} (write it like 2025-2026)")
        plan = (
            find_plan(session, school.id, args.year)
            if args.year
            else latest_plan(session, school.id)
        )
        if plan is None:
            raise UsageError(f"school {school.id} has no plan for {args.year or 'any year'}")
        data = export_plan(session, school, plan)
    _print_json(data, args.output)


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
            from bot.app import run

            run(settings)
            return 0
        db = Database(settings.database_url)
        db.upgrade()
        if args.command == "school":
            _school_create(db, settings, args)
        elif args.command == "plan":
            _plan_export(db, args)
        return 0
    except UsageError as exc:
        sys.stderr.write(f"caitien: {exc}\n")
        return 2
