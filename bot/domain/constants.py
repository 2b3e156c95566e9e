"""Every Telegram limit and fixed product number in one place."""

from __future__ import annotations

# Telegram Bot API limits.
MAX_MESSAGE_LENGTH = 4096  # characters after entity parsing (UTF-16 code units)
MAX_CALLBACK_DATA_BYTES = 64
MAX_DEEP_LINK_PAYLOAD = 64

# School year: a new school year (and its plan) starts on 1 August.
SCHOOL_YEAR_FIRST_MONTH = 8

# Plan blocks as the official table has them.
BLOCK_LEVELS_123 = "M123"
BLOCK_LEVEL_4 = "M4"

# Longest text kept for one answer; Telegram itself caps a message at 4096 characters.
MAX_ANSWER_LENGTH = 4096

# Rows per page in the plan list (a phone screen).
ROWS_PER_PAGE = 30
