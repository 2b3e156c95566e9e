"""What is not understood: an unknown command, a stray text or file, an unknown button.

Each gets a clear answer in the user's language and, inside a conversation, the same
question again; nothing already entered is touched.
"""

from __future__ import annotations

import logging

from bot.services.chatstate import leave
from bot.ui.views import View, bold
from conversations import registry
from conversations.base import Turn

log = logging.getLogger(__name__)


def _again(turn: Turn) -> list[View]:
    flow = registry.flow(turn.state.flow)
    if flow is not None:
        return flow.prompt(turn)
    if turn.state.flow is not None:
        leave(turn.state)
    return [registry.help_view(turn)]


def on_unknown_command(turn: Turn) -> list[View]:
    """An unknown command: say so and ask the current question again."""
    text = turn.t._("I do not know the command /{command}.").format(
        command=turn.incoming.command or ""
    )
    return [View([bold(text)]), *_again(turn)]


def on_text(turn: Turn) -> list[View]:
    """A text: an answer when a question is open, else a pointer to the commands."""
    flow = registry.flow(turn.state.flow)
    if flow is not None:
        return flow.on_text(turn)
    return [View([bold(turn.t._("I did not understand that."))]), *_again(turn)]


def on_attachment(turn: Turn) -> list[View]:
    """A photo, file or sticker where text was expected (a plan file when /import asks)."""
    flow = registry.flow(turn.state.flow)
    if flow is not None and flow.on_file is not None and turn.incoming.file_name is not None:
        return flow.on_file(turn)
    text = turn.t._("Please answer with a text message.")
    return [View([bold(text)]), *_again(turn)]


def on_unknown_button(turn: Turn) -> list[View]:
    """A button whose data this bot does not know (an old version, or forged)."""
    log.info("unknown button %r from user %s", turn.incoming.callback_data, turn.incoming.user.id)
    stale = View(
        [bold(turn.t._("This button is no longer valid."))],
        toast=turn.t._("This button is no longer valid."),
    )
    return [stale, *_again(turn)]


def on_step_command(turn: Turn) -> list[View]:
    """/skip, /back and /cancel: for the open conversation, if any."""
    command = turn.incoming.command
    flow = registry.flow(turn.state.flow)
    if flow is not None:
        if command == "skip":
            return flow.skip(turn)
        if command == "back":
            return flow.go_back(turn)
        return flow.cancel(turn)
    if turn.state.flow is not None:
        leave(turn.state)
        return [View([bold(turn.t._("Stopped. Nothing else was changed."))])]
    return [
        View([bold(turn.t._("There is nothing to stop or skip right now."))]),
        registry.help_view(turn),
    ]


def on_repeat(turn: Turn) -> list[View]:
    """An update seen before (the bot stopped after committing it, before confirming it, and
    maybe before answering): ask the open conversation's question again, whichever it is, so
    nobody is left waiting for a reply that was lost; nothing when no conversation is open."""
    flow = registry.flow(turn.state.flow)
    return flow.prompt(turn) if flow is not None else []


def on_file_unavailable(turn: Turn) -> list[View]:
    """Telegram would not hand over the file ("wrong file_id or temporarily unavailable"):
    bad input like any other: say so and ask the same question again."""
    text = turn.t._("I could not get this file from Telegram. Please send it again.")
    return [View([bold(text)]), *_again(turn)]
