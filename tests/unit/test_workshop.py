"""The workshop makes documents in another process, and its workers end with the bot."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.runtime.workshop import Workshop
from bot.ui.views import Later, View, make_now, messages

ROOT = Path(__file__).resolve().parents[2]


def _workers(parent: int) -> set[str]:
    """The worker processes `parent` started (its children only: another test run's workers
    on the same machine are not counted)."""
    found = subprocess.run(
        ["pgrep", "-P", str(parent), "-f", "spawn_main"], capture_output=True, text=True
    )
    return set(found.stdout.split())


def _alive(pids: set[str]) -> set[str]:
    """Those still running (a zombie waiting for a reaper has ended)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, IndexError):
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def test_later_content_is_made_in_a_worker_process_and_sent_as_bytes():
    workshop = Workshop(1)
    try:
        views = [View([("", "chart")], photo=Later(bytes, (b"png",))), View([("", "text")])]
        made = asyncio.run(workshop.make(views))
        assert made[0].photo == b"png" and made[1] == views[1]
        assert workshop.make_blocking(views)[0].photo == b"png"
        assert messages(made[0])[0].photo == b"png"
    finally:
        workshop.shutdown()


def test_a_view_still_to_be_made_is_never_sent_half_made():
    view = View([("", "plan")], document=("ke-hoach.docx", Later(bytes, (b"docx",))))
    try:
        messages(view)
    except ValueError:
        pass
    else:
        raise AssertionError("a view with Later content must be made before it is sent")
    assert make_now([view])[0].document == ("ke-hoach.docx", b"docx")


def test_workers_end_when_the_bot_is_killed():
    code = (
        "import time\nfrom bot.runtime.workshop import Workshop\n"
        "w = Workshop(1); w.warm_up().result(); print('ready', flush=True); time.sleep(60)\n"
    )
    bot = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=ROOT)
    assert bot.stdout is not None and bot.stdout.readline().strip() == b"ready"
    started = _workers(bot.pid)
    assert started, "the workshop started a worker process"
    bot.send_signal(signal.SIGKILL)  # no shutdown hook runs: the workers must notice
    bot.wait()
    deadline = time.monotonic() + 10
    while _alive(started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(started), "a worker outlived the bot"
