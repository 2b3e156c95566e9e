"""Translations (gettext catalogs compiled with Babel) and locale-aware formatting.

Message ids are English; `locales/vi` (the default language) and `locales/en` hold the texts.
Dates are shown dd/mm/yyyy and amounts with Vietnamese grouping in both languages, as school
documents write them.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from babel.numbers import format_decimal
from babel.support import Translations

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


class Translator:
    """gettext for one language plus the formats a school document uses."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._translations = Translations.load(str(LOCALES_DIR), [language], DOMAIN)

    def _(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def date(self, value: dt.date | None) -> str:
        return value.strftime("%d/%m/%Y") if value else "—"

    def number(self, value: int) -> str:
        return number(value)

    def money(self, value: int) -> str:
        return self._("{amount} VND").format(amount=self.number(value))


def number(value: int) -> str:
    """A whole number as Vietnamese documents write it, in any language: "1.250"."""
    return format_decimal(value, locale="vi_VN")


def percent(part: int, whole: int) -> str:
    """`part` of `whole` in per cent, one decimal at most, Vietnamese comma: "71,4", "100";
    "0" of nothing."""
    share = round(100 * part / whole, 1) if whole else 0
    return format_decimal(share, format="#,##0.#", locale="vi_VN")


@functools.cache
def translator(language: str) -> Translator:
    return Translator(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def resolve_language(chosen: str | None, default: str) -> str:
    """The language chosen with /language, else the default (Vietnamese) for everyone.

    What Telegram reports (`Person.telegram_language`) is not followed: Telegram has no Vietnamese
    interface, so most Vietnamese users report `en`, and a principal whose phone speaks
    English still reads and writes the school's plan in Vietnamese. It is kept (the person's
    `telegram_language`) but English is only ever what someone chose."""
    if chosen in LANGUAGES:
        return chosen
    return default
