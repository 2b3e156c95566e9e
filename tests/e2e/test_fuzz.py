"""A seeded fuzz run: thousands of generated updates of every kind against `caitien run` (a real
process, over HTTP), interleaved with real conversations that must come out whole.

The noise: strangers and members of two schools writing texts (Vietnamese, emoji,
right-to-left, text pasted from Word with control characters, up to 4 096 characters) and
commands known and unknown; going through the start of conversations (a row, a report with
files, an import, settings, the team); pressing buttons of old messages; forged button data
(huge numbers, other digits, junk); photos and files of every size up to over 20 MB, plans
whole and damaged, names too long for a file system, files getFile refuses; a group chat;
channel posts, edited messages, buttons on inline messages, messages without a sender; updates
python-telegram-bot cannot parse; updates delivered again (button presses already answered);
users who block the bot and come back; halfway, a crash (SIGKILL) and a start again, so the
batch in hand is delivered again.
The real flows, meanwhile: the principal writes a row (with text pasted from Word) and exports
the plan; a teacher reports progress on it with a photo and a file whose name is too long for a
file system; the principal makes the year's report.

Then: nothing unhandled in the log (no traceback, no ERROR), nothing refused by the emulator
that the bot should not have sent, the bot alive, every update confirmed, the flows' results
in the database and in the documents. The seed is fixed (CAITIEN_FUZZ_SEED picks another, to
explore); CAITIEN_FUZZ_UPDATES sets the number of generated updates (default 2 500, about 30 s
on a 2-core machine) for a longer run.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.services import members, owners, plans
from bot.services.invites import join_with_code
from bot.services.members import TelegramUser, upsert_person
from bot.services.schools import create_school
from db.models import Evidence, InboxUpdate, Member, PlanRow, ProgressReport, RowStatus
from db.session import Database
from tests.conftest import TOKEN
from tests.e2e.test_malformed_updates import MALFORMED

SEED = int(os.environ.get("CAITIEN_FUZZ_SEED", "20260523"))
UPDATES = int(os.environ.get("CAITIEN_FUZZ_UPDATES", "2500"))
TZ = dt.timezone(dt.timedelta(hours=7))

PRINCIPAL, TEACHER = 8001, 8002
# The principal's school: members who may not touch the principal's row, making noise.
MEMBERS = {8101: "council", 8102: "staff", 8103: "monitor", 8104: "staff"}
# Another school, where managers make noise too (import, export, team, settings, reports on
# their own rows): nothing of theirs reaches the first school.
OTHER_SCHOOL = {8201: "principal", 8202: "vice_principal", 8203: "council", 8204: "staff"}
STRANGERS = range(9000, 9060)
GROUP = -1008001
CHANNEL = {"id": -1001800000001, "type": "channel", "title": "Bảng tin"}

# Text pasted from Word: a manual line break (vertical tab), BEL, ESC, a page break.
EXPECTED = "Giữ vững Mức 2;\x0bđạt Mức 3\x07 vào cuối năm\x1b[0m."
TASKS = "- Họp tổ 2 lần/tháng;\x0b- Chuyên đề <STEM> & GDPT 2018\x0c- Tổng kết."
REPORT_TEXT = "Đã tổ chức 2 chuyên đề 🎉\x0bbiên bản kèm theo."

VIETNAMESE = ["kế hoạch", "tiêu chí 1.4", "Mức 2", "hoàn thành", "chưa", "hiệu trưởng"]
SHAPES = ["Tháng 9/2026 – 5/2027", "5.000.000 đồng", "2,5 triệu", "trước 30/5 hàng năm", "07:30"]
SCRIPTS = ["🎓", "📚", "👩‍🏫", "🇻🇳", "❤️", "مرحبا بالعالم", "שלום", "\u202ertl\u202c", "e\u0301"]
MARKUP = ["<b>đậm</b>", "</i>", "&amp;", "&", "<", "a < b > c", "'\"", "\\", "%s", "{n}"]
CONTROLS = ["\x0b", "\x07", "\x1b[31m", "\x0c", "\x00", "\x08", "\t", "\r\n", "\n", " ", "x\u200by"]
NUMBERY = ["=1+", "null", "-1", "²", "١٢", "９", "99999999999999999999", "0", "31/02/2027"]
WORDS = [*VIETNAMESE, *SHAPES, *SCRIPTS, *MARKUP, *CONTROLS, *NUMBERY]
COMMANDS = [
    *["/start", "/start ma-sai", "/start " + "x" * 80, "/start@caitien_test_bot", "/help"],
    *["/language", "/plan", "/add", "/mine", "/report", "/team", "/invite", "/import"],
    *["/export", "/report_year", "/digest", "/settings", "/linkgroup", "/school", "/skip"],
    *["/back", "/cancel", "/xoahet", "/", "/PLAN", "/plan@other_bot", "/" + "a" * 40, "/add x"],
]
PREFIXES = [
    *["r:o:", "r:e:", "r:d:", "r:y:", "r:h:", "o:s:", "o:r:", "o:t:", "o:l:", "o:d:", "g:r:"],
    *["g:s:", "g:d:", "n:r:", "n:z:", "s:", "t:m:", "t:c:", "t:lv:", "t:lb:", "t:i:", "t:l"],
    *["c:rh:", "c:ug:", "c:back:", "i:ok:", "i:no:", "f:s:", "f:c:", "f:e:", "f:save:"],
    *["f:back:", "p:p:", "p:y:", "l:", "l:xx", "zz:", ""],
]
NUMBERS = [
    *["1", "2", "0", "7", "999999", "99999999999999999999", "2147483648", "²", "١", "١٢"],
    *["-1", "1.5", "", "abc", "2026-2027", "٢٠٢٦-٢٠٢٧", "m4", "staff", "many", "\n"],
]
BIG = b"\0" * (20 * 1024 * 1024 + 1)  # over what the Bot API lets a bot download
PLAN_DOCX = (Path(__file__).parents[1] / "fixtures" / "plan-thcs-2025-2026.docx").read_bytes()
FILE_NAMES = [
    *["ke-hoach.docx", "ke-hoach.xlsx", "minh-chung.pdf", "ảnh 1.jpg", "a\x07b\x0b.txt", ""],
    "../../etc/passwd",
    "Biên bản họp tổ chuyên môn " * 8 + ".docx",  # over 255 bytes in UTF-8
    "🎓" * 70 + ".pdf",
]
LONG_NAME = "Biên bản họp tổ chuyên môn 🎓 " * 10 + ".pdf"  # 300 characters, 400 bytes


def random_text(rng: random.Random) -> str:
    if rng.random() < 0.03:  # long, up to Telegram's 4 096 characters
        return (rng.choice(WORDS) + " " + "Nội dung dài. " * 400)[: rng.randint(1000, 4096)]
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8))) or "."


def forged_data(rng: random.Random) -> str:
    data = rng.choice(PREFIXES) + ":".join(rng.choice(NUMBERS) for _ in range(rng.randint(0, 3)))
    while len(data.encode()) > 64:  # what a button can carry
        data = data[:-1]
    return data


class Noise:
    """One generated update at a time, from everyone but the two people in the real flows.

    `rng` decides everything that does not depend on the bot's progress (who, what kind, which
    text, file, forged data), and always draws the same way: the same seed gives the same
    sequence. Which of the bot's messages an old button is taken from depends on what the bot
    had answered by then, so that choice has its own generator (`pick`)."""

    def __init__(self, core: Any, rng: random.Random) -> None:
        self.core, self.rng = core, rng
        self.pick = random.Random(rng.random())
        self.kinds: Counter[str] = Counter()
        self.members = [*MEMBERS, *OTHER_SCHOOL]
        self.strangers = list(STRANGERS)
        self.blocked: list[int] = []
        self.sent: list[dict[str, Any]] = []  # texts, commands and button presses, to replay
        self.malformed_ids: list[int] = []

    def __call__(self) -> None:
        kinds: list[tuple[str, float, Callable[[], None]]] = [
            ("text", 18, self.text),
            ("command", 14, self.command),
            ("conversation", 12, self.conversation),
            ("old button", 14, self.old_button),
            ("forged button", 12, self.forged_button),
            ("file", 7, self.file),
            ("unavailable file", 3, self.unavailable_file),
            ("group", 8, self.group),
            ("no user or chat", 6, self.no_user_or_chat),
            ("malformed", 3, self.malformed),
            ("block", 2, self.block),
            ("replayed", 4, self.replayed),
        ]
        name, _, make = self.rng.choices(kinds, weights=[w for _, w, _ in kinds])[0]
        self.kinds[name] += 1
        make()

    def person(self) -> int:
        return self.rng.choice(self.members if self.rng.random() < 0.6 else self.strangers)

    def text(self) -> None:
        self.keep(self.core.send_text(TOKEN, self.person(), random_text(self.rng)))

    def command(self) -> None:
        self.keep(self.core.send_text(TOKEN, self.person(), self.rng.choice(COMMANDS)))

    @staticmethod
    def _buttons(message: dict[str, Any]) -> list[str]:
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        return [b["callback_data"] for row in rows for b in row if "callback_data" in b]

    def old_button(self) -> None:
        """A button of any earlier bot message in the chat (edited away or not); a command
        when there is none yet."""
        user, command = self.person(), self.rng.choice(COMMANDS)
        keyboards = [m for m in self.core.messages(TOKEN, user) if self._buttons(m)]
        if not keyboards:
            self.keep(self.core.send_text(TOKEN, user, command))
            return
        message = self.pick.choice(keyboards)
        data = self.pick.choice(self._buttons(message))
        self.keep(self.core.press(TOKEN, user, message_id=message["message_id"], data=data))

    def newest_button(self, user: int) -> None:
        """What a person presses next: a button of the newest message that has some."""
        keyboards = [m for m in self.core.messages(TOKEN, user) if self._buttons(m)]
        if keyboards:
            data = self.pick.choice(self._buttons(keyboards[-1]))
            self.core.press(TOKEN, user, message_id=keyboards[-1]["message_id"], data=data)

    def forged_button(self) -> None:
        """Forged data, on one of the bot's messages in the chat or on one that never was."""
        user, data, on_a_message = self.person(), forged_data(self.rng), self.rng.random() < 0.7
        sent = [m["message_id"] for m in self.core.messages(TOKEN, user)]
        message_id = self.pick.choice(sent) if sent and on_a_message else 10**6
        self.keep(self.core.forge_callback(TOKEN, user, message_id, data))

    def _content(self) -> bytes:
        kind = self.rng.choice(["size"] * 6 + ["plan", "damaged plan", "big"])
        if kind == "plan":
            return PLAN_DOCX
        if kind == "damaged plan":  # a real plan, cut short and with bytes flipped
            damaged = bytearray(PLAN_DOCX[: self.rng.randint(1, len(PLAN_DOCX))])
            for _ in range(self.rng.randint(0, 20)):
                damaged[self.rng.randrange(len(damaged))] ^= 0xFF
            return bytes(damaged)
        if kind == "big":
            return BIG
        return self.rng.randbytes(self.rng.choice([0, 1, 100, 5_000, 80_000, 300_000, 1_500_000]))

    def file(self, user: int | None = None) -> None:
        user = user or self.person()
        caption = random_text(self.rng)[:1024] if self.rng.random() < 0.3 else None
        if self.rng.random() < 0.3:
            self.core.send_photo(TOKEN, user, self._content(), caption=caption)
            return
        name = self.rng.choice(FILE_NAMES)
        mime = self.rng.choice(["application/pdf", "application/octet-stream", "image/jpeg"])
        self.core.send_document(TOKEN, user, name, self._content(), mime, caption)

    def unavailable_file(self) -> None:
        update = self.core.send_document(
            TOKEN, self.person(), "bien-ban.pdf", b"%PDF-1.4", "application/pdf"
        )
        self.core.file_unavailable(TOKEN, update["message"]["document"]["file_id"])

    def group(self) -> None:
        user = self.rng.choice([PRINCIPAL, TEACHER, *self.members, *self.strangers])
        commands = ["/linkgroup@caitien_test_bot", "/plan@caitien_test_bot", "/start"]
        text = self.rng.choice([random_text(self.rng), *commands])
        self.core.send_group_text(TOKEN, user, GROUP, text)

    def no_user_or_chat(self) -> None:
        user = self.core.users[self.person()]
        private = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        sent = {"message_id": self.rng.randint(1, 50), "date": 1_796_000_000}
        edited = {**sent, "edit_date": 1_796_000_100, "from": user, "chat": private}
        inline = {
            "id": f"inline-{self.rng.random()}",
            "from": user,
            "chat_instance": "ci",
            "inline_message_id": "AgAAAKkAAAA",
            "data": forged_data(self.rng) or "r:o:1",
        }
        post = {**sent, "chat": CHANNEL, "text": random_text(self.rng)}
        update = self.rng.choice(
            [
                {"channel_post": post},
                {"edited_channel_post": {**post, "edit_date": 1_796_000_100}},
                {"edited_message": {**edited, "text": random_text(self.rng)}},
                {"message": {**sent, "chat": private, "sender_chat": CHANNEL, "text": "/plan"}},
                {"callback_query": inline},
            ]
        )
        self.core.push_raw(TOKEN, update)

    def malformed(self) -> None:
        update = self.core.push_raw(TOKEN, self.rng.choice(MALFORMED))
        self.malformed_ids.append(update["update_id"])

    def replayed(self) -> None:
        """An earlier update delivered again under a new id: the same message, or the same
        button press (its callback query was answered already: Telegram refuses a second
        answer, which the frame lets pass)."""
        index = self.rng.random()
        if self.sent:
            update = self.sent[int(index * len(self.sent))]
            self.core.push_raw(TOKEN, {k: v for k, v in update.items() if k != "update_id"})

    def keep(self, update: dict[str, Any]) -> None:
        self.sent.append(update)

    def block(self) -> None:
        """Someone blocks the bot (its answers to them are refused); of three who did, the
        first comes back."""
        user = self.person()
        if user not in self.blocked:
            self.core.block(TOKEN, user)
            self.blocked.append(user)
        if len(self.blocked) > 3:
            self.core.unblock(TOKEN, self.blocked.pop(0))

    def conversation(self) -> None:
        """A member goes through (the start of) a conversation, as people do."""
        user = self.rng.choice(self.members)
        steps = self.rng.choice(
            [
                ["/add", "button", "button", "text", "text", "/skip", "/back", "text"],
                ["/add", "/back", "/skip", "/cancel"],
                ["/report", "button", "button", "text", "file", "file", "button"],
                ["/import", "file", "button", "button"],
                ["/settings", "button", "text", "button"],
                ["/team", "button", "button", "button"],
                ["/invite", "button", "text"],
                ["/plan", "button", "button", "button", "text"],
                ["/export"],
                ["/report_year"],
                ["/digest"],
                ["/mine", "/language", "button"],
            ]
        )
        texts = [random_text(self.rng) for _ in steps]
        for step, text in zip(steps, texts, strict=True):
            if step == "button":
                self.newest_button(user)
            elif step == "file":
                self.file(user)
            elif step == "text":
                self.core.send_text(TOKEN, user, text)
            else:
                self.core.send_text(TOKEN, user, step)


def shown(message: dict[str, Any]) -> str:
    """A message's text and its buttons, as a person sees them."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    labels = [b["text"] for row in rows for b in row]
    return "\n".join([message.get("text", ""), message.get("caption", ""), *labels])


class Chat:
    """One person of a real flow: write or press, then wait for the answer that matters (other
    messages, such as the principal being told that someone blocked the bot, are passed by)."""

    def __init__(self, core: Any, user: int) -> None:
        self.core, self.user = core, user
        self.received: list[dict[str, Any]] = []

    async def until(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            [message] = await self.core.wait_for_bot_messages(TOKEN, self.user, timeout=60)
            self.received.append(message)
            if wanted(message):
                return message
        raise TimeoutError(f"user {self.user}: {[m.get('text', '')[:60] for m in self.received]}")

    async def say(self, text: str, expect: str) -> dict[str, Any]:
        self.core.send_text(TOKEN, self.user, text)
        return await self.until(lambda m: expect in shown(m))

    async def press(self, message: dict[str, Any], button: str, expect: str) -> dict[str, Any]:
        self.core.press(TOKEN, self.user, message_id=message["message_id"], button_text=button)
        return await self.until(lambda m: expect in shown(m))

    async def document(self, text: str, name: str) -> dict[str, Any]:
        self.core.send_text(TOKEN, self.user, text)
        return await self.until(lambda m: m.get("document", {}).get("file_name") == name)


def seed(db_url: str) -> tuple[str, int]:
    """The principal's school (its principal's code; the teacher and the noise members have
    joined) and another school whose members own three rows; returns the principal's code and
    the teacher's member id."""
    db = Database(db_url)
    db.upgrade()
    joined = dt.datetime(2026, 9, 5, 9, tzinfo=TZ)

    def join(session: Any, school: Any, user: int, role: str) -> Member:
        member, code = members.add_member(session, school, f"Thầy cô {user}", role, None)
        join_with_code(session, upsert_person(session, TelegramUser(user, "TC")), code.code, joined)
        return member

    with db.transaction() as session:
        school, invite = create_school(session, "THCS Lê Quý Đôn", "thcs", None, "Asia/Ho_Chi_Minh")
        teacher = join(session, school, TEACHER, "staff")
        for user, role in MEMBERS.items():
            join(session, school, user, role)
        other, _ = create_school(session, "TH Bình An", "tieu_hoc", None, "Asia/Ho_Chi_Minh")
        theirs = [join(session, other, user, role) for user, role in OTHER_SCHOOL.items()]
        plan = plans.ensure_plan(session, other, "2026-2027")
        for criterion in ("1.1", "2.1", "3.1"):
            row = plans.new_draft(session, theirs[0], plan)
            plans.set_criterion(session, row, plans.regulation_of(other), criterion, None)
            plans.set_field(session, row, "expected_result", "Đạt Mức 2", "2026-2027", None)
            plans.save_draft(session, row, theirs[0])
            owners.set_owners(session, row, [m.id for m in theirs], theirs[0].id, None)
        found = (invite.code, teacher.id)
    db.dispose()
    return found


async def principal_flow(core: Any, code: str, db_url: str, teacher_id: int) -> dict[str, Any]:
    """Join, write a row (text pasted from Word), give it to the teacher, export the plan."""
    chat = Chat(core, PRINCIPAL)
    await chat.say(f"/start {code}", "vai trò hiệu trưởng")
    standards = await chat.say("/add", "Chọn tiêu chuẩn")
    criteria = await chat.press(standards, "Tiêu chuẩn 1", "1.4")
    await chat.press(criteria, "1.4 ", "Kết quả cần đạt")
    await chat.say(EXPECTED, "Công việc/giải pháp")
    await chat.say(TASKS, "Ai chủ trì")
    await chat.say("PHT chuyên môn, TTCM", "Thời gian thực hiện")
    await chat.say("Tháng 9/2026 – 5/2027", "Dự kiến kinh phí")
    await chat.say("Dự kiến 5.000.000/năm học", "điều kiện hỗ trợ")
    await chat.say("/skip", "Ghi chú (nếu có)")
    card = await chat.say("/skip", "💾 Lưu")
    await chat.press(card, "💾 Lưu", "Đã lưu")
    db = Database(db_url)
    with db.transaction() as session:
        [row] = session.scalars(select(PlanRow).where(PlanRow.tasks == TASKS))
        principal = session.get(Member, row.created_by_member_id)
        owners.set_owners(session, row, [teacher_id], teacher_id, principal)
    db.dispose()
    plan_docx = await chat.document("/export", "ke-hoach-cai-tien-2026-2027.docx")
    plan_xlsx = await chat.until(
        lambda m: m.get("document", {}).get("file_name") == "ke-hoach-cai-tien-2026-2027.xlsx"
    )
    return {"docx": plan_docx, "xlsx": plan_xlsx, "chat": chat}


async def teacher_flow(core: Any) -> dict[str, Any]:
    """Report progress on the row: done, a few words (pasted from Word), a photo and a file
    whose name is longer than a file system takes (in bytes)."""
    chat = Chat(core, TEACHER)
    rows = await chat.say("/report", "báo cáo dòng kế hoạch nào")
    first = rows["reply_markup"]["inline_keyboard"][0][0]["text"]
    statuses = await chat.press(rows, first, "Tình hình thực hiện")
    await chat.press(statuses, "Hoàn thành", "Vài dòng")
    await chat.say(REPORT_TEXT, "minh chứng")
    core.send_photo(TOKEN, TEACHER, b"\xff\xd8 anh minh chung")
    await chat.until(lambda m: "Đã nhận 1 tệp." in m.get("text", ""))
    core.send_document(TOKEN, TEACHER, LONG_NAME, b"%PDF-1.4", "application/pdf")
    received = await chat.until(lambda m: "Đã nhận 2 tệp." in m.get("text", ""))
    return await chat.press(received, "✅ Xong", "Đã lưu báo cáo")


def content(core: Any, message: dict[str, Any]) -> bytes:
    return core.bot(TOKEN).files[message["document"]["file_id"]][1]


async def test_fuzz(server, bot, db_url):
    core = server.core
    rng = random.Random(SEED)
    core.user(PRINCIPAL, "Hà")
    core.user(TEACHER, "Lan")
    for user in [*MEMBERS, *OTHER_SCHOOL, *STRANGERS]:
        name = rng.choice(["Bình", "Ánh 🌸", "مريم", "A\x07B", "x" * 64])
        core.user(user, name, rng.choice(["vi", "en", "fr", "zh-hans"]))
    core.group(GROUP, "Hội đồng trường")
    code, teacher_id = seed(db_url)
    started = time.monotonic()
    await bot.start()

    noise = Noise(core, rng)
    principal: asyncio.Task[dict[str, Any]] | None = None
    teacher: asyncio.Task[dict[str, Any]] | None = None
    for n in range(UPDATES):
        if n == UPDATES // 10:
            principal = asyncio.create_task(principal_flow(core, code, db_url, teacher_id))
        if principal is not None and teacher is None and principal.done():
            teacher = asyncio.create_task(teacher_flow(core))
        if n == UPDATES // 2:  # a crash: the batch in hand is delivered again after the start
            bot.kill()
            await bot.start()
        noise()
        # A backlog, not a flood: the flows must get through the noise in good time.
        while len(core.pending_updates(TOKEN)) > 120:
            await asyncio.sleep(0.02)
        if n % 20 == 0:
            await asyncio.sleep(0)
    assert principal is not None
    exported = await asyncio.wait_for(principal, 120)
    if teacher is None:
        teacher = asyncio.create_task(teacher_flow(core))
    await asyncio.wait_for(teacher, 120)
    report = await exported["chat"].document("/report_year", "bao-cao-ket-qua-2026-2027.docx")

    # Every update confirmed: the bot's last getUpdates moved the offset past all of them.
    for _ in range(400):
        if not core.pending_updates(TOKEN):
            break
        await asyncio.sleep(0.05)
    assert core.pending_updates(TOKEN) == []
    # Every update handled: the bot confirms a batch once it is in its inbox, and forgets an
    # update once its turn has committed and its answer was delivered.
    inbox = Database(db_url)
    for _ in range(1200):
        with inbox.transaction() as session:
            left = session.scalar(select(func.count()).select_from(InboxUpdate))
        if not left:
            break
        await asyncio.sleep(0.05)
    inbox.dispose()
    assert left == 0, f"{left} update(s) received and never handled"
    assert bot.proc.poll() is None, "the bot died"
    elapsed = time.monotonic() - started
    await asyncio.to_thread(bot.stop)  # the emulator (this loop) answers while the bot stops
    assert bot.proc.returncode == 0

    log = bot.log_path.read_text(errors="replace")
    assert re.findall(r".*\b(?:ERROR|CRITICAL)\b.*", log) == []
    assert "Traceback" not in log, log[log.index("Traceback") - 2000 :][:6000]
    # One record a line: nothing a user sent can write a line of its own into the log.
    record = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING) ")
    # Except the notice multiprocessing's resource tracker writes when it outlives the bot the
    # test killed halfway (SIGKILL: the document workers' queues are cleaned up by the tracker).
    killed = re.compile(
        r".*(resource_tracker: There appear to be \d+ leaked semaphore"
        r"|warnings\.warn\('resource_tracker)"
    )
    assert [
        line for line in log.splitlines() if not record.match(line) and not killed.match(line)
    ] == []
    unreadable = re.findall(r"update (\d+) could not be read", log)
    assert sorted({int(i) for i in unreadable}) == noise.malformed_ids
    # Refused by the emulator: only what the test asked for (blocked users, unavailable files)
    # and what the frame lets pass by design: an edit it falls back from (it sends the view
    # anew), a second answer to a button press delivered again.
    by_design = {
        "editMessageText": ("message is not modified", "message to edit not found"),
        "answerCallbackQuery": ("query is too old",),  # a press delivered again
    }
    assert [
        r
        for r in core.refused(TOKEN)
        if not any(d in r["description"] for d in by_design.get(r["method"], ()))
    ] == []

    # The flows' results: in the documents (as a document can hold the text) and stored.
    plan_docx = docx.Document(io.BytesIO(content(core, exported["docx"])))
    cells = {c.text for r in plan_docx.tables[1].rows for c in r.cells}
    assert "- Họp tổ 2 lần/tháng;\n- Chuyên đề <STEM> & GDPT 2018\n- Tổng kết." in cells
    sheet = load_workbook(io.BytesIO(content(core, exported["xlsx"]))).active
    values = {c.value for r in sheet.iter_rows() for c in r}
    assert "Giữ vững Mức 2;\nđạt Mức 3 vào cuối năm[0m." in values
    paragraphs = [p.text for p in docx.Document(io.BytesIO(content(core, report))).paragraphs]
    assert any(p.endswith("Đã tổ chức 2 chuyên đề 🎉\nbiên bản kèm theo.") for p in paragraphs)
    db = Database(db_url)
    with db.transaction() as session:
        [row] = session.scalars(select(PlanRow).where(PlanRow.tasks == TASKS))
        assert row.status == RowStatus.ACTIVE and row.expected_result == EXPECTED
        [done] = session.scalars(select(ProgressReport).where(ProgressReport.row_id == row.id))
        assert done.status == "done" and done.text == REPORT_TEXT
        evidence = session.scalars(select(Evidence).where(Evidence.report_id == done.id)).all()
        assert [e.file_name.startswith("anh-") for e in evidence] == [True, False]
        assert evidence[1].file_name == LONG_NAME[:255]  # as long as the column
    db.dispose()
    print(f"\nfuzz: seed {SEED}, {UPDATES} updates in {elapsed:.1f} s: {dict(noise.kinds)}")
