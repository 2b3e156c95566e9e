"""Every Telegram limit and fixed product number in one place."""

from __future__ import annotations

# Telegram Bot API limits.
MAX_MESSAGE_LENGTH = 4096  # characters after entity parsing (UTF-16 code units)
MAX_CALLBACK_DATA_BYTES = 64
MAX_DEEP_LINK_PAYLOAD = 64

# School year: a new school year (and its plan) starts on 1 August.
SCHOOL_YEAR_FIRST_MONTH = 8
# Classes begin on 5 September (docs/design.md §1): a timeline ending before it is in the past.
CLASSES_BEGIN = (9, 5)  # (month, day) of the school year's first year

# Plan blocks as the official table has them.
BLOCK_LEVELS_123 = "M123"
BLOCK_LEVEL_4 = "M4"

# An answer is stored whole, however long; where the bot echoes it back inside a message
# ("Now:", a report's confirmation) it shows the first ECHO_LENGTH characters and says how
# many were stored, so a message never outgrows Telegram's 4096 characters.
ECHO_LENGTH = 1500

# Rows per page in the plan list (a phone screen).
ROWS_PER_PAGE = 30
