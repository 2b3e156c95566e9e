"""supervising units: a commune's or the Sở's specialists and the schools linked to them

Tables `units`, `unit_members` (role supervisor, one-use invite code), `unit_schools` (one
unit of each kind per school) and `unit_views` (what a specialist opened, for the principal).
`outbox` gets `unit_id` and `unit_member_id` for a unit's digests; its `school_id` may then be
empty.

Revision ID: 20261202_0009
Revises: 20261202_0008
Create Date: 2026-12-02 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261202_0009"
down_revision = "20261202_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("link_code", sa.String(32), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("materialised_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("link_code", name=op.f("uq_units_link_code")),
    )
    op.create_table(
        "unit_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("invite_code", sa.String(64), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_unit_members_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_unit_members_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_members")),
        sa.UniqueConstraint("invite_code", name=op.f("uq_unit_members_invite_code")),
    )
    op.create_index(op.f("ix_unit_members_unit_id"), "unit_members", ["unit_id"])
    op.create_index(op.f("ix_unit_members_person_id"), "unit_members", ["person_id"])
    op.create_table(
        "unit_schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("linked_by_member_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_unit_schools_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_unit_schools_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_member_id"],
            ["members.id"],
            name=op.f("fk_unit_schools_linked_by_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_schools")),
        sa.UniqueConstraint("school_id", "kind", name="uq_unit_schools_school_kind"),
        sa.UniqueConstraint("unit_id", "school_id", name="uq_unit_schools_unit_school"),
    )
    op.create_index(op.f("ix_unit_schools_unit_id"), "unit_schools", ["unit_id"])
    op.create_table(
        "unit_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_member_id", sa.Integer(), nullable=True),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("what", sa.String(20), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_unit_views_unit_id_units"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_member_id"],
            ["unit_members.id"],
            name=op.f("fk_unit_views_unit_member_id_unit_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_unit_views_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["row_id"],
            ["plan_rows.id"],
            name=op.f("fk_unit_views_row_id_plan_rows"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_views")),
    )
    op.create_index(op.f("ix_unit_views_school_id"), "unit_views", ["school_id"])
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("school_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("unit_member_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_outbox_unit_id_units"), "units", ["unit_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(
            op.f("fk_outbox_unit_member_id_unit_members"),
            "unit_members",
            ["unit_member_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(op.f("fk_outbox_unit_member_id_unit_members"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_outbox_unit_id_units"), type_="foreignkey")
        batch.drop_column("unit_member_id")
        batch.drop_column("unit_id")
        batch.alter_column("school_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("unit_views")
    op.drop_table("unit_schools")
    op.drop_table("unit_members")
    op.drop_table("units")
