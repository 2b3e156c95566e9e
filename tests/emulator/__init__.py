"""A small, faithful Telegram Bot API emulator for tests and benchmarks (see core.py)."""

from tests.emulator.core import ApiError, BotApiEmulator
from tests.emulator.http import EmulatorServer
from tests.emulator.request import EmulatorRequest

__all__ = ["ApiError", "BotApiEmulator", "EmulatorRequest", "EmulatorServer"]
