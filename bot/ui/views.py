"""What the bot says, as plain data: text parts and buttons. No Telegram import.

Texts are kept as (style, raw text) parts and escaped only when rendered to HTML, so a long
message can be split under Telegram's 4096-character limit (counted as Telegram counts: the
text after entity parsing, in UTF-16 code units) without cutting a tag or an entity in two.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from bot.domain.constants import MAX_MESSAGE_LENGTH

Part = tuple[str, str]  # (style, raw text); style is "", "b", "i" or "code"


@dataclass(frozen=True)
class Button:
    text: str
    data: str


@dataclass(frozen=True)
class Later:
    """File content made after the turn has committed, away from the event loop and the turns
    (`bot.runtime.workshop`: another process): `fn(*args)`. `fn` is a module-level function and
    `args` plain data (dataclasses, rows loaded with what the function reads), so both can be
    sent to that process. A DOCX export or a chart is one."""

    fn: Callable[..., bytes]
    args: tuple[Any, ...] = ()

    def make(self) -> bytes:
        return self.fn(*self.args)


@dataclass
class View:
    """One reply. `parts` may render to several messages; the buttons go on the last one."""

    parts: list[Part]
    buttons: list[list[Button]] = field(default_factory=list)
    # Replace the message a pressed button belongs to instead of sending a new one.
    edit: bool = False
    # A short notice shown by answerCallbackQuery (a toast), for callback replies.
    toast: str | None = None
    # A file sent after the text: (file name, content); the text becomes its caption.
    document: tuple[str, bytes | Later] | None = None
    # A picture sent before the text (e.g. the digest's chart); the text becomes its caption
    # when it is short enough, else it follows as its own message.
    photo: bytes | Later | None = None

    def later(self) -> list[Later]:
        """What is still to be made before this view can be sent."""
        found = [self.photo] if isinstance(self.photo, Later) else []
        if self.document is not None and isinstance(self.document[1], Later):
            found.append(self.document[1])
        return found

    def made(self, content: dict[int, bytes]) -> View:
        """This view with what was to be made filled in (`content` by `id` of each `Later`)."""
        photo = content[id(self.photo)] if isinstance(self.photo, Later) else self.photo
        document = self.document
        if document is not None and isinstance(document[1], Later):
            document = (document[0], content[id(document[1])])
        return replace(self, photo=photo, document=document)


def still_to_make(views: list[View]) -> list[Later]:
    """Every `Later` of these views, in order."""
    return [later for view in views for later in view.later()]


def make_now(views: list[View]) -> list[View]:
    """The views with their `Later` content made here and now (when no workshop runs)."""
    content = {id(later): later.make() for later in still_to_make(views)}
    return [view.made(content) for view in views] if content else views


def paging(page: int, more: bool, data: str) -> list[list[Button]]:
    """The ◀ ▶ row under a paged list (none on a single page): `data` is the callback data
    with `{page}` where the page number goes; `more`: a page follows this one."""
    row = []
    if page > 0:
        row.append(Button("◀", data.format(page=page - 1)))
    if more:
        row.append(Button("▶", data.format(page=page + 1)))
    return [row] if row else []


def plain(text: str) -> Part:
    return ("", text)


def bold(text: str) -> Part:
    return ("b", text)


def italic(text: str) -> Part:
    return ("i", text)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, room: int) -> int:
    """Index (in str characters) at which to cut `text` to fit `room` UTF-16 units, nicely."""
    units = 0
    hard = len(text)
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > room:
            hard = i
            break
    else:
        return len(text)
    for sep in ("\n\n", "\n", ". ", " "):
        at = text.rfind(sep, 0, hard)
        if at > hard // 2:
            return at + len(sep)
    return max(hard, 1)


def split_parts(parts: list[Part], limit: int = MAX_MESSAGE_LENGTH) -> list[list[Part]]:
    """Split parts into chunks whose visible text fits in `limit`; never returns an empty chunk."""
    chunks: list[list[Part]] = [[]]
    used = 0
    queue = [p for p in parts if p[1]]
    while queue:
        style, text = queue.pop(0)
        size = utf16_len(text)
        if used + size <= limit:
            chunks[-1].append((style, text))
            used += size
            continue
        room = limit - used
        if room < min(200, limit // 4) and chunks[-1]:
            chunks.append([])
            used = 0
            queue.insert(0, (style, text))
            continue
        at = _cut(text, room)
        chunks[-1].append((style, text[:at]))
        chunks.append([])
        used = 0
        queue.insert(0, (style, text[at:]))
    visible = [c for c in chunks if "".join(text for _, text in c).strip()]
    return visible or [[plain("…")]]


def to_html(parts: list[Part]) -> str:
    out = []
    for style, text in parts:
        escaped = html.escape(text, quote=False)
        out.append(f"<{style}>{escaped}</{style}>" if style else escaped)
    return "".join(out)


MAX_CAPTION_LENGTH = 1024


@dataclass(frozen=True)
class Message:
    """One Telegram message a view turns into: a text, a photo or a document."""

    html: str | None
    buttons: list[list[Button]] = field(default_factory=list)
    photo: bytes | None = None
    document: tuple[str, bytes] | None = None


def messages(view: View) -> list[Message]:
    """The messages a view is sent as, in order; buttons on the last one.

    A photo or document carries the text as its caption when the whole text fits Telegram's
    1024-character caption (counted as Telegram counts); otherwise the text follows in its own
    messages, split cleanly, so nothing is cut.
    """
    if view.later():
        raise ValueError("a view with content still to be made cannot be sent yet")
    photo = view.photo if isinstance(view.photo, bytes) else None
    document = (
        (view.document[0], view.document[1])
        if view.document is not None and isinstance(view.document[1], bytes)
        else None
    )
    chunks = split_parts(view.parts) if view.parts else []
    out: list[Message] = []
    if photo is not None or document is not None:
        fits = len(chunks) <= 1 and (
            not chunks or sum(utf16_len(t) for _, t in chunks[0]) <= MAX_CAPTION_LENGTH
        )
        caption = to_html(chunks[0]) if fits and chunks else None
        out.append(Message(caption, [], photo, document))
        if fits:
            chunks = []
    out.extend(Message(to_html(chunk)) for chunk in chunks)
    if view.buttons and out:
        last = out[-1]
        out[-1] = Message(last.html, view.buttons, last.photo, last.document)
    return out
