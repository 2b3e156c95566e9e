"""membership history

Revision ID: 20261124_0002
Revises: 20261123_0001
Create Date: 2026-11-24 00:10:39.301498
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261124_0002"
down_revision = "20261123_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "membership_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("actor_member_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("invite_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_member_id"],
            ["members.id"],
            name=op.f("fk_membership_history_actor_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invite_id"],
            ["invites.id"],
            name=op.f("fk_membership_history_invite_id_invites"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_membership_history_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_membership_history_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_history")),
    )
    with op.batch_alter_table("membership_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_history_school_id"), ["school_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("membership_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_history_school_id"))

    op.drop_table("membership_history")
