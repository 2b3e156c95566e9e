"""Webhook mode (`caitien run --webhook`) against the emulator, which pushes updates as Telegram
does: a request without the right secret gets 403 and changes nothing; a right one is handled and
answered 200 only after its turn committed and its answer went out; an update whose delivery
failed while the bot was down is delivered again and handled once after a restart."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

import aiohttp
from sqlalchemy import create_engine, text

from tests.conftest import TOKEN
from tests.e2e.conftest import DEFAULT_NOW, ROOT

SECRET = "s3cr3t_Webhook-Token_for_tests"
PRINCIPAL = 8201


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_webhook(bot, server, port: int, secret: str = SECRET) -> None:
    """`caitien run --webhook` on 127.0.0.1:port, up once its webhook is set and it listens."""
    log = bot.log_path.open("ab")
    args = [sys.executable, "-m", "bot", "run", "--now", DEFAULT_NOW, "--webhook"]
    args += ["--listen", "127.0.0.1", "--port", str(port)]
    args += ["--url", f"http://127.0.0.1:{port}/tg", "--secret", secret]
    bot.proc = subprocess.Popen(args, env=bot.env, cwd=ROOT, stdout=log, stderr=log)
    async with aiohttp.ClientSession() as client:
        for _ in range(300):
            assert bot.proc.poll() is None, bot.log_path.read_text()
            try:
                async with client.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200 and server.core.bot(TOKEN).webhook:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise TimeoutError("the webhook did not come up: " + bot.log_path.read_text())


def chat_states(db_url: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT count(*) FROM chat_states")).scalar_one()
    engine.dispose()
    return int(found)


async def test_secret_checked_answer_after_commit_and_restart(server, bot, db_url):
    core = server.core
    core.user(PRINCIPAL, "Hà")
    code = bot.cli("school", "create", "--name", "THCS Webhook", "--level", "thcs")[
        "principal_code"
    ]
    port = free_port()
    await start_webhook(bot, server, port)
    state = core.bot(TOKEN)
    assert state.webhook == f"http://127.0.0.1:{port}/tg" and state.webhook_secret == SECRET
    assert not core.calls(TOKEN, "getUpdates")  # no polling in webhook mode
    before = chat_states(db_url)

    # Without the secret, or with a wrong one: 403, nothing handled, nothing of it logged.
    forged = {
        "update_id": 999_001,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": PRINCIPAL, "type": "private"},
            "from": {"id": PRINCIPAL, "is_bot": False, "first_name": "Hà"},
            "text": f"/start {code} FORGED-BODY-MARKER",
        },
    }
    async with aiohttp.ClientSession() as client:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with client.post(
                f"http://127.0.0.1:{port}/tg", json=forged, headers=headers
            ) as r:
                assert r.status == 403
        async with client.get(f"http://127.0.0.1:{port}/healthz") as r:
            assert r.status == 200 and await r.text() == "ok"
    await asyncio.sleep(0.3)
    assert core.messages(TOKEN, PRINCIPAL) == []
    assert chat_states(db_url) == before

    # The right secret (the emulator's push): handled; 200 only after the answer went out.
    core.send_text(TOKEN, PRINCIPAL, f"/start {code}")
    [welcome] = await core.wait_for_bot_messages(TOKEN, PRINCIPAL, timeout=20)
    assert "THCS Webhook" in welcome["text"]
    for _ in range(100):
        if core.deliveries(TOKEN):
            break
        await asyncio.sleep(0.05)
    [delivery] = core.deliveries(TOKEN)
    assert delivery["status"] == 200
    [reply] = [c for c in core.calls(TOKEN, "sendMessage") if c["params"]["chat_id"] == PRINCIPAL]
    assert reply["time"] < delivery["time"]  # committed and answered, then 200
    assert chat_states(db_url) == before + 1

    # The bot dies; what the user sends meanwhile is delivered again once it is back.
    bot.kill()
    core.send_text(TOKEN, PRINCIPAL, "/plan")
    for _ in range(100):
        if any(d["status"] is None for d in core.deliveries(TOKEN)):
            break
        await asyncio.sleep(0.05)
    assert core.pending_updates(TOKEN)  # Telegram keeps it
    await start_webhook(bot, server, port)
    [plan] = await core.wait_for_bot_messages(TOKEN, PRINCIPAL, timeout=30)
    assert plan["text"]
    for _ in range(100):
        if not core.pending_updates(TOKEN):
            break
        await asyncio.sleep(0.05)
    assert not core.pending_updates(TOKEN)
    statuses = [d["status"] for d in core.deliveries(TOKEN)]
    assert statuses[0] == 200 and None in statuses and statuses[-1] == 200
    bot.stop()
    log = bot.log_path.read_text()
    assert SECRET not in log and "FORGED-BODY-MARKER" not in log


async def test_a_second_run_on_the_same_sqlite_file_refuses(server, bot, db_url):
    await bot.start()  # long polling
    second = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=bot.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 2
    assert second.stderr.startswith("caitien: another caitien run is already serving")
    assert len(second.stderr.strip().splitlines()) == 1


async def test_bad_webhook_options_exit_2(bot):
    for extra in (["--secret", "not allowed!"], ["--secret", "x" * 257], ["--url", "ftp://h/p"]):
        args = [sys.executable, "-m", "bot", "run", "--webhook"]
        args += ["--url", "https://bot.example.vn/tg", "--secret", SECRET, *extra]
        done = subprocess.run(
            args, env=bot.env, cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert SECRET not in done.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--webhook"],
        env=bot.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode == 2 and "--url and --secret" in missing.stderr
