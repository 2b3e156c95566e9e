"""/digest: the principal's digest on demand; /linkgroup: post the weekly digest to a group.

The weekly digest itself is sent by the scheduler (an outbox item); this is the same text and
chart, made now.
"""

from __future__ import annotations

import logging

from bot.domain.permissions import can_manage_team
from bot.services import digest
from bot.ui import digest_view
from bot.ui.views import Later, View, bold, plain
from conversations.base import Turn
from db.models import Role

log = logging.getLogger(__name__)


def on_digest(turn: Turn) -> list[View]:
    t = turn.t
    if not can_manage_team(turn.member):
        log.info("refused /digest for member %s", turn.member and turn.member.id)
        return [View([bold(t._("Only the principal and vice-principals get the digest."))])]
    found = digest.build(turn.session, turn.school, turn.now)
    if found is None:
        return [View([bold(t._("There is no plan for this school year yet."))])]
    chart = Later(digest_view.chart_in, (t.language, found))
    return [View(digest_view.render(t, found), photo=chart)]


def on_linkgroup(turn: Turn) -> list[View]:
    """In a group: the principal links it; in a private chat: how to do it."""
    t = turn.t
    member = turn.member
    if turn.incoming.chat_type == "private":
        return [
            View(
                [
                    bold(t._("To post the weekly digest to a group:")),
                    plain(
                        "\n"
                        + t._(
                            "add me to the group, then send /linkgroup there. "
                            "Only the principal can do this."
                        )
                    ),
                ]
            )
        ]
    if member is None or member.role != Role.PRINCIPAL:
        log.info("refused /linkgroup in chat %s", turn.incoming.chat_id)
        return [View([bold(t._("Only the school's principal can link a group."))])]
    turn.school.group_chat_id = turn.incoming.chat_id
    return [
        View(
            [
                bold(
                    "✅ " + t._("This group is linked to {school}.").format(school=turn.school.name)
                ),
                plain("\n" + t._("The weekly digest will be posted here too.")),
            ]
        )
    ]
