"""A specialist's /export: the roll-up of the unit's schools (XLSX) and their year-end reports
(one ZIP), made after the turn has committed (`Later`), away from the event loop.

Only the schools linked to the specialist's unit now, and only while the specialist is active
and is the person asking; each school exported is recorded as viewed (`units.record_view`,
"export"), so its principal sees that the unit looked. Fills `registry.unit_export`.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from bot.documents.unit_rollup import write_reports_zip, write_rollup_xlsx
from bot.services import unit_digest, unit_rollup, units
from bot.services.files import FileStore
from bot.ui.views import Later, View, bold, plain
from conversations import registry
from conversations.base import Turn
from db.models import SupervisingUnit, UnitMember

log = logging.getLogger(__name__)


@registry.unit_export.provide
def on_unit_export(turn: Turn, specialist: UnitMember) -> list[View]:
    t = turn.t
    unit = turn.session.get(SupervisingUnit, specialist.unit_id)
    if not specialist.active or specialist.person_id != turn.person.id or unit is None:
        log.info("refused a unit export for unit member %s", specialist.id)
        return [View([bold(t._("Only the unit's specialists export its schools."))])]
    found = unit_digest.build(turn.session, unit.id, turn.now)
    assert found is not None
    linked = set(units.linked_school_ids(turn.session, unit.id))
    schools = tuple(line for line in found.schools if line.school_id in linked)
    if not schools:
        return [View([bold(t._("No school is linked to the unit yet."))])]
    found = unit_digest.UnitDigest(found.unit_id, found.name, found.kind, found.at, schools)
    units.record_view(turn.session, specialist, [s.school_id for s in schools], "export", turn.now)
    day = found.at.date()
    rows = unit_rollup.rows(turn.session, found)
    caption = t.ngettext(
        "Roll-up of {n} school of {unit} on {date}: {rows} rows.",
        "Roll-up of {n} schools of {unit} on {date}: {rows} rows.",
        len(schools),
    ).format(n=len(schools), unit=unit.name, date=t.date(day), rows=t.number(len(rows)))
    xlsx = Later(write_rollup_xlsx, (unit.name, day, ZoneInfo(unit.timezone), schools, rows))
    views = [View([plain(caption)], document=(f"tong-hop-{day.isoformat()}.xlsx", xlsx))]
    reports, skipped = unit_rollup.year_reports(turn.session, found, day)
    missing = (
        "\n" + t._("Without a plan this school year: {names}.").format(names=", ".join(skipped))
        if skipped
        else ""
    )
    if not reports:
        views.append(View([plain(t._("No school has a plan this school year yet.") + missing)]))
        return views
    read = FileStore(turn.settings.files_dir).read
    text = t.ngettext(
        "The year-end report of {n} school, one DOCX each.",
        "The year-end reports of {n} schools, one DOCX each.",
        len(reports),
    ).format(n=len(reports))
    zipped = Later(write_reports_zip, (reports, skipped, read))
    views.append(
        View([plain(text + missing)], document=(f"bao-cao-cuoi-nam-{day.isoformat()}.zip", zipped))
    )
    return views
