"""Reminders end to end in-process: materialise → sender → emulator, with a controllable clock.

Every schedule rule is checked in tests/unit/test_schedule.py and the outbox in
tests/unit/test_outbox.py; here the same rules go through the one sender to people's chats:
send-time checks (done, leave, not joined, quiet hours, holidays), snooze, the buttons on a
reminder, 429 and 403, and /settings.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import threading
from zoneinfo import ZoneInfo

import docx
from PIL import Image
from sqlalchemy import select

from bot.domain import school_settings
from bot.domain.school_settings import Holiday
from bot.runtime.ratelimit import Limiter, Limits
from bot.runtime.scheduler import Scheduler
from bot.runtime.sender import Sender
from bot.services import members, outbox, owners, plans, progress
from bot.services.files import FileStore
from db.models import Member, OutboxItem, ProgressReport, School
from tests.conftest import TOKEN
from tests.handlers.conftest import buttons, text

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
P, LAN, HAI = 30, 61, 62
YEAR = "2026-2027"


def at(y, m, d, h=8, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


async def seed(harness, timelines=("trước 31/12/2026",), hai_joins=True):
    """Principal P, Lan (joined) owning every row, Hải (joined or not) owning the last one."""
    harness.clock.set(at(2026, 9, 5, 9))
    await harness.principal(P)
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        principal = session.scalar(select(Member).where(Member.role == "principal"))
        lan, lan_code = members.add_member(session, school, "Đặng Thị Lan", "staff", "Kế toán")
        hai, hai_code = members.add_member(session, school, "Bùi Văn Hải", "staff", None)
        plan = plans.ensure_plan(session, school, YEAR)
        regulation = plans.regulation_of(school)
        ids = []
        for i, timeline in enumerate(timelines):
            row = plans.new_draft(session, principal, plan)
            plans.set_criterion(session, row, regulation, ("1.4", "2.1", "5.2")[i % 3], principal)
            plans.set_field(session, row, "expected_result", f"Kết quả {i + 1}", YEAR, principal)
            plans.set_field(session, row, "timeline_text", timeline, YEAR, principal)
            plans.save_draft(session, row, principal)
            who = [lan.id, hai.id] if i == len(timelines) - 1 else [lan.id]
            owners.set_owners(session, row, who, lan.id, principal)
            ids.append(row.id)
        codes = [lan_code.code] + ([hai_code.code] if hai_joins else [])
    for user, code in zip((LAN, HAI), codes, strict=False):
        harness.user(user, name=("Lan", "Hải")[user - LAN])
        await harness.send(user, f"/start {code}")
    await harness.tick()  # the school's schedule starts now
    return ids


def states(harness):
    """The notifications in the outbox (command menus, also sent through it, left out)."""
    with harness.db.transaction() as session:
        return [
            (i.kind, i.member_id, i.state, i.reason)
            for i in session.scalars(
                select(OutboxItem).where(OutboxItem.kind != "menu").order_by(OutboxItem.id)
            )
        ]


def chat(harness, user):
    return [m for m in harness.core.messages(TOKEN, user) if m.get("from", {}).get("is_bot")]


async def test_reminders_come_at_eight_with_buttons_and_can_be_snoozed(harness):
    await seed(harness)
    harness.running_at(at(2026, 12, 17, 7, 59))
    assert await harness.tick() == 0
    assert await harness.tick(minutes=2) == 2  # Lan and Hải, 14 days before
    [reminder] = chat(harness, LAN)[-1:]
    assert "còn 14 ngày đến hạn (31/12/2026)" in reminder["text"]
    assert "Kết quả 1" in reminder["text"]
    assert buttons(reminder) == ["📝 Báo cáo tiến độ", "⏰ Nhắc lại ngày mai", "3 ngày nữa"]
    [snoozed] = await harness.press(LAN, "⏰ Nhắc lại ngày mai")
    assert "Sẽ nhắc lại vào ngày 18/12/2026" in snoozed["text"]
    assert await harness.tick(hours=23, minutes=58) == 0  # 08:00 not reached yet
    assert await harness.tick(minutes=1) == 1
    assert "còn 13 ngày đến hạn" in chat(harness, LAN)[-1]["text"]
    # The buttons on a reminder open the report on that row.
    [status] = await harness.press(LAN, "📝 Báo cáo tiến độ")
    assert buttons(status) == ["Chưa thực hiện", "Đang thực hiện", "Hoàn thành", "Gặp khó khăn"]


async def test_a_finished_row_gets_no_more_reminders(harness):
    [row_id] = await seed(harness)
    harness.running_at(at(2026, 12, 28, 7, 59))
    await harness.tick()
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        row = plans.get_row(session, school.id, row_id)
        lan = session.scalar(select(Member).where(Member.display_name == "Đặng Thị Lan"))
        progress.add_report(session, row, lan, "done", "Xong")
    # Materialised before it was done would still be skipped at send time:
    await harness.tick(minutes=2)
    harness.clock.set(at(2027, 2, 1, 9))
    await harness.tick()
    sent = [s for s in states(harness) if s[2] == "sent" and s[0] not in ("digest", "joined")]
    assert sent == []


async def test_skipped_at_send_time_leave_and_not_joined(harness):
    await seed(harness, hai_joins=False)
    harness.running_at(at(2026, 12, 28, 7, 59))
    harness.clock.advance(minutes=2)
    with harness.db.transaction() as session:  # written to the outbox...
        outbox.materialise(session, harness.clock.now())
        lan = session.scalar(select(Member).where(Member.display_name == "Đặng Thị Lan"))
        lan.on_leave_until = dt.date(2027, 1, 2)  # ...then she goes on leave
    await harness.sender.drain()
    reasons = sorted((s[2], s[3]) for s in states(harness) if s[0] == "due_soon")
    assert reasons == [("skipped", "not_joined"), ("skipped", "on_leave")]
    # While she is on leave, nothing more is even planned for her; Hải still has not joined.
    harness.running_at(at(2026, 12, 31, 7, 59))
    await harness.tick(minutes=2)
    today = [(s[1], s[2], s[3]) for s in states(harness) if s[0] == "due_today"]
    assert today == [(lan.id + 1, "skipped", "not_joined")]
    # Back from leave: the overdue reminder reaches her.
    harness.running_at(at(2027, 1, 7, 7, 59))
    await harness.tick(minutes=2)
    assert "Đã quá hạn 7 ngày" in chat(harness, LAN)[-1]["text"]


async def test_after_downtime_quiet_hours_hold_the_catch_up_until_seven(harness):
    await seed(harness)
    harness.running_at(at(2026, 12, 17, 7, 0))
    await harness.tick()
    harness.clock.set(at(2026, 12, 29, 21, 30))  # down from 07:00 on the 17th until 21:30 the 29th
    await harness.tick()
    pending = [s for s in states(harness) if s[0] == "due_soon" and s[2] == "pending"]
    assert len(pending) == 2  # the latest (3 days before) for Lan and Hải; the 14-day one skipped
    assert chat(harness, LAN)[-1:] and "còn" not in chat(harness, LAN)[-1]["text"]
    await harness.tick(hours=9, minutes=29)  # 06:59 next day: still quiet
    assert [s for s in states(harness) if s[0] == "due_soon" and s[2] == "sent"] == []
    await harness.tick(minutes=1)
    assert "còn 1 ngày đến hạn" in chat(harness, LAN)[-1]["text"]  # shown as of the day sent


async def test_holidays_hold_reminders_until_after(harness):
    await seed(harness, ("trước 20/02/2027",))
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        school_settings.update(
            school, holidays=(Holiday(dt.date(2027, 2, 4), dt.date(2027, 2, 14), "Tết"),)
        )
    harness.running_at(at(2027, 2, 6, 7))  # 14 days before is 06/02, in Tết
    await harness.tick()
    await harness.tick(hours=2)
    assert [s for s in states(harness) if s[0] == "due_soon"] == []
    await harness.tick(days=9, minutes=1)
    assert "còn 5 ngày đến hạn" in chat(harness, LAN)[-1]["text"]


async def test_429_waits_retry_after_and_sends_once(harness):
    await seed(harness)
    harness.running_at(at(2026, 12, 17, 7, 59))
    harness.core.fail_next(TOKEN, "sendMessage", 429, retry_after=1, times=2)
    await harness.tick(minutes=2)
    assert harness.sender.stats.retry_after == 2
    reminders = [m for m in chat(harness, LAN) if "còn 14 ngày" in m["text"]]
    assert len(reminders) == 1
    assert [s[2] for s in states(harness) if s[0] == "due_soon"] == ["sent", "sent"]


async def test_403_marks_the_member_unreachable_and_tells_the_principal_once(harness):
    await seed(harness, ("trước 31/12/2026", "trước 15/01/2027"))
    harness.core.block(TOKEN, LAN)
    harness.running_at(at(2026, 12, 17, 7, 59))
    await harness.tick(minutes=2)
    [notice] = [m for m in chat(harness, P) if "chặn" in m.get("text", "")]
    assert "Đặng Thị Lan đã chặn bot" in notice["text"]
    with harness.db.transaction() as session:
        lan = session.scalar(select(Member).where(Member.display_name == "Đặng Thị Lan"))
        assert lan.unreachable_at is not None
    harness.running_at(at(2027, 1, 1, 7, 59))  # 14 days before 15/01: another one for Lan
    await harness.tick(minutes=2)
    assert ("due_soon", lan.id, "skipped", "unreachable") in states(harness)
    assert len([m for m in chat(harness, P) if "chặn" in m.get("text", "")]) == 1
    # She unblocks and writes: reminders resume.
    harness.core.unblock(TOKEN, LAN)
    await harness.send(LAN, "/mine")
    with harness.db.transaction() as session:
        assert session.get(Member, lan.id).unreachable_at is None


async def test_a_network_error_is_retried(harness):
    await seed(harness)
    harness.running_at(at(2026, 12, 17, 7, 59))
    harness.core.fail_next(TOKEN, "sendMessage", 502, "Bad Gateway", times=1)
    await harness.tick(minutes=2)
    assert harness.sender.stats.network_retries == 1
    assert [s[2] for s in states(harness) if s[0] == "due_soon"] == ["sent", "sent"]


async def test_settings_for_the_principal_and_leave_for_everyone(harness):
    await seed(harness)
    [menu] = await harness.send(P, "/settings")
    assert "Giờ gửi nhắc việc: 08:00" in menu["text"] and "Thứ Hai" in menu["text"]
    await harness.press(P, "Giờ gửi")
    [again, _] = await harness.send(P, "sáng sớm")
    assert "Không đọc được" in again["text"]
    [_, menu] = await harness.send(P, "7h30")
    assert "Giờ gửi nhắc việc: 07:30" in menu["text"]
    await harness.press(P, "Thêm ngày nghỉ")
    [_, menu] = await harness.send(P, "04/02/2027 - 14/02/2027 Nghỉ Tết")
    assert "04/02/2027–14/02/2027 Nghỉ Tết" in menu["text"]
    await harness.press(P, "Giờ yên lặng")
    [_, menu] = await harness.send(P, "21:00-06:30")
    assert "21:00–06:30" in menu["text"]
    with harness.db.transaction() as session:
        current = school_settings.load(session.scalar(select(School)))
        assert current.send_time == dt.time(7, 30) and len(current.holidays) == 1
    # A teacher sees only her own leave, and cannot press the school's buttons.
    [mine] = await harness.send(LAN, "/settings")
    assert buttons(mine) == ["Tôi nghỉ phép đến ngày…"]
    await harness.press(LAN, "Tôi nghỉ phép")
    [_, menu] = await harness.send(LAN, "15/01/2027")
    assert "nghỉ phép đến ngày 15/01/2027" in menu["text"]
    version = menu["reply_markup"]["inline_keyboard"][0][0]["callback_data"].rsplit(":", 1)[1]
    [refused] = await harness.forge(LAN, f"c:send_time:{version}", menu["message_id"])
    assert "Chỉ hiệu trưởng và phó hiệu trưởng" in text([refused])


async def test_digest_on_demand_and_in_a_linked_group(harness):
    await seed(harness)
    [digest] = await harness.send(P, "/digest")
    assert ("photo" in digest and "caption" in digest) or "text" in digest
    harness.core.group(-100200, "Tổ chuyên môn")
    harness.core.send_group_text(TOKEN, P, -100200, "/linkgroup@caitien_test_bot")
    [linked] = await harness._process(-100200)
    assert "đã được liên kết" in linked["text"]
    harness.running_at(at(2026, 9, 7, 7, 29))  # Monday
    await harness.tick(minutes=2)
    group = harness.core.messages(TOKEN, -100200)
    assert any("photo" in m for m in group)
    [refused] = await harness.send(LAN, "/digest")
    assert "Chỉ hiệu trưởng" in refused["text"]


async def test_mid_year_and_end_of_year_prompts_list_the_rows_not_done(harness):
    await seed(harness, ("trước 31/12/2026", "trước 31/03/2027"))
    harness.running_at(at(2027, 1, 10, 7, 59))
    await harness.tick(minutes=2)
    prompt = chat(harness, LAN)[-1]
    assert "Sơ kết học kỳ I, năm học 2026-2027" in prompt["text"]
    assert "Kết quả 1" in prompt["text"] and "Kết quả 2" in prompt["text"]
    assert len(buttons(prompt)) == 2
    harness.running_at(at(2027, 5, 15, 7, 59))
    await harness.tick(minutes=2)
    prompt = chat(harness, LAN)[-1]
    assert "Tổng kết cuối năm học 2026-2027" in prompt["text"]
    assert "trước ngày 30/05/2027" in prompt["text"]
    [status] = await harness.press(LAN, "📝 2.1 —")
    assert buttons(status)[2] == "Hoàn thành"
    await harness.press(LAN, "Hoàn thành")
    with harness.db.transaction() as session:
        [report] = session.scalars(select(ProgressReport)).all()
        assert (report.status, report.period) == ("done", "end_year")


async def test_weekly_digest_with_its_chart_and_the_june_summary(harness):
    await seed(harness)
    harness.running_at(at(2027, 5, 31, 7, 29))  # Monday 31/05
    await harness.tick(minutes=2)
    digest = chat(harness, P)[-1]  # short enough: the text is the chart's caption
    assert "photo" in digest and "Bản tin THCS Lê Quý Đôn, ngày 31/05/2027" in digest["caption"]
    assert "Quá hạn (1):" in digest["caption"]
    harness.running_at(at(2027, 6, 7, 7, 29))  # the first Monday of June: the year's summary
    await harness.tick(minutes=2)
    report = chat(harness, P)[-1]
    assert report["document"]["file_name"] == "bao-cao-ket-qua-2026-2027.docx"
    assert "Báo cáo kết quả cuối năm học 2026-2027" in report.get("caption", "")


async def test_the_june_report_shows_the_photos_sent_as_evidence(harness, settings):
    """The report the first June digest brings is the one /report_year makes: photos sent as
    evidence appear in it as pictures (read from the file store at send time)."""
    [row_id] = await seed(harness)
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 40, 40)).save(photo, "JPEG")
    with harness.db.transaction() as session:
        school = session.scalar(select(School))
        row = plans.get_row(session, school.id, row_id)
        lan = session.scalar(select(Member).where(Member.display_name == "Đặng Thị Lan"))
        report = progress.add_report(session, row, lan, "done", "Xong", "end_year")
        store = FileStore(settings.files_dir)
        progress.add_evidence(
            session, store, report, school.id, "anh.jpg", "image/jpeg", photo.getvalue(),
            caption="Ảnh buổi chuyên đề",
        )  # fmt: skip
    harness.running_at(at(2027, 6, 7, 7, 29))  # the first Monday of June: the year's summary
    await harness.tick(minutes=2)
    sent = chat(harness, P)[-1]["document"]
    content = harness.core.file_content(TOKEN, f"documents/{sent['file_id']}")
    assert content is not None
    exported = docx.Document(io.BytesIO(content))
    assert len(exported.inline_shapes) == 1
    assert any(
        "Ảnh buổi chuyên đề" in c.text for t in exported.tables for r in t.rows for c in r.cells
    )


async def test_the_principal_sets_a_members_leave_from_the_team(harness):
    await seed(harness, hai_joins=False)
    await harness.send(P, "/team")
    [card] = await harness.press(P, "✏️ Bùi Văn Hải")
    assert "Chưa tham gia Telegram: không nhận được nhắc việc." in card["text"]
    [ask] = await harness.press(P, "🏖 Nghỉ phép đến…")
    assert "Bùi Văn Hải" in ask["text"] and "Nghỉ phép đến ngày nào?" in ask["text"]
    [again, _] = await harness.send(P, "hết tháng")
    assert "Không đọc được" in again["text"]
    [saved] = await harness.send(P, "31/10/2026")
    assert "Đã lưu" in saved["text"]
    await harness.send(P, "/team")
    [card] = await harness.press(P, "✏️ Bùi Văn Hải")
    assert "Nghỉ phép đến ngày 31/10/2026." in card["text"]
    with harness.db.transaction() as session:
        hai = session.scalar(select(Member).where(Member.display_name == "Bùi Văn Hải"))
        assert hai.on_leave_until == dt.date(2026, 10, 31)
    [card] = await harness.press(P, "🏖 Hết nghỉ phép")
    assert "Nghỉ phép đến" not in card["text"].split("\n")[2:3]
    # A teacher cannot set someone else's leave with a forged button.
    [refused] = await harness.forge(LAN, f"t:lv:{hai.id}")
    assert "Chỉ hiệu trưởng và phó hiệu trưởng" in refused["text"]


async def test_forged_reminder_buttons_are_refused(harness):
    await seed(harness)
    harness.running_at(at(2026, 12, 17, 7, 59))
    await harness.tick(minutes=2)
    with harness.db.transaction() as session:
        hai_item = session.scalar(
            select(OutboxItem).where(OutboxItem.kind == "due_soon").order_by(OutboxItem.id.desc())
        )
        hai_item_id, row_id = hai_item.id, hai_item.row_id
    # Snoozing Hải's reminder from Lan's chat, a row id that does not exist, nonsense.
    for data in (f"n:z:{hai_item_id}:1", "n:r:99999", "n:z:1:99", "n:x"):
        [refused] = await harness.forge(LAN, data)
        assert "không còn hiệu lực" in refused["text"] or "không báo cáo được" in refused["text"]
    with harness.db.transaction() as session:
        assert session.scalar(select(OutboxItem).where(OutboxItem.kind == "snooze")) is None
    # The principal is not an owner but may report on any row of the school.
    [status] = await harness.forge(P, f"n:r:{row_id}")
    assert buttons(status)[0] == "Chưa thực hiện"


async def test_digest_day_and_review_dates_are_the_schools(harness):
    await seed(harness)
    await harness.send(P, "/settings")
    await harness.press(P, "Ngày và giờ gửi bản tin")
    [_, menu] = await harness.send(P, "Thứ Sáu 16h")
    assert "Bản tin hằng tuần: Thứ Sáu, lúc 16:00." in menu["text"]
    await harness.press(P, "Ngày sơ kết, tổng kết")
    [again, _] = await harness.send(P, "15/05, 10/01")  # not in the school year's order
    assert "Không đọc được" in again["text"]
    [_, menu] = await harness.send(P, "20/12, 10/05, 20/05")
    assert "Sơ kết học kỳ I: 20/12; tổng kết năm học: 10/05, 20/05." in menu["text"]
    # The mid-year prompt now comes on 20/12 (first calendar year), the digest on Friday.
    harness.running_at(at(2026, 12, 18, 15, 59))  # Friday
    await harness.tick(minutes=2)
    assert "Bản tin THCS Lê Quý Đôn, ngày 18/12/2026" in chat(harness, P)[-1]["caption"]
    harness.running_at(at(2026, 12, 20, 7, 59))
    await harness.tick(minutes=2)
    assert "Sơ kết học kỳ I, năm học 2026-2027" in chat(harness, LAN)[-1]["text"]


async def test_chats_take_turns_so_one_busy_chat_does_not_hold_up_the_others(harness):
    await seed(harness)
    harness.running_at(at(2026, 12, 17, 9))
    with harness.db.transaction() as session:
        people = {m.display_name: m for m in session.scalars(select(Member)).all() if m.person_id}
        principal = next(m for m in people.values() if m.role == "principal")
        school_id = principal.school_id
        targets = [principal] * 5 + [people["Đặng Thị Lan"], people["Bùi Văn Hải"]]
        for i, member in enumerate(targets):
            outbox.enqueue(
                session,
                key=f"unreachable:test{i}:{member.id}:x",
                school_id=school_id,
                kind="unreachable",
                day=harness.clock.now().date(),
                send_at=harness.clock.now(),
                member_id=member.id,
                data={"member_id": principal.id},
            )
    sender = Sender(
        harness.app.bot, harness.db, harness.clock, workers=2, limiter=Limiter(Limits(per_chat=0.2))
    )
    assert await sender.drain() == 7
    order = [int(c["params"]["chat_id"]) for c in harness.core.calls(TOKEN, "sendMessage")][-7:]
    assert order.index(LAN) < 3 and order.index(HAI) < 3  # not after the principal's five
    assert order.count(P) == 5


async def test_a_stop_while_the_materialiser_runs_waits_for_the_run(harness, caplog):
    """SIGTERM in the middle of a run: the run finishes its transaction, nothing is cancelled
    half-way (APScheduler's shutdown would cancel it and log an error)."""
    caplog.set_level(logging.INFO)
    scheduler = Scheduler(harness.db, harness.clock, harness.sender, interval=60)
    started, finish, runs = threading.Event(), threading.Event(), []
    materialise = scheduler.materialise_now

    def slow() -> outbox.Materialised:
        started.set()
        finish.wait(5)
        runs.append(materialise())
        return runs[-1]

    scheduler.materialise_now = slow  # type: ignore[method-assign]
    await scheduler.start()
    assert await asyncio.to_thread(started.wait, 5)
    stopping = asyncio.create_task(scheduler.stop())
    await asyncio.sleep(0.2)
    assert not stopping.done()  # waiting for the run
    finish.set()
    await asyncio.wait_for(stopping, 5)
    assert len(runs) == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
