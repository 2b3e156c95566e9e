"""plan templates: Biểu 2 of Thông tư 57/2026 beside the 2018 table

Plans get a template ("2018" for every existing plan) and the sections a school wrote itself;
rows get the Biểu 2 columns with no 2018 counterpart and a link to a priority issue; new
tables for the priority issues (section IV) and the monitoring rows (section VI).

Revision ID: 20261202_0007
Revises: 20261201_0006
Create Date: 2026-12-02 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261202_0007"
down_revision = "20261201_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "priority_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("standard", sa.Integer(), nullable=True),
        sa.Column("standard_text", sa.Text(), nullable=True),
        sa.Column("criterion_code", sa.String(length=16), nullable=True),
        sa.Column("criterion_text", sa.Text(), nullable=True),
        sa.Column("current_state", sa.Text(), nullable=True),
        sa.Column("limitations", sa.Text(), nullable=True),
        sa.Column("causes", sa.Text(), nullable=True),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name="fk_priority_issues_plan_id_plans", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name="fk_priority_issues_created_by_member_id_members",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_priority_issues"),
    )
    op.create_index(
        "ix_priority_issues_plan_status_position",
        "priority_issues",
        ["plan_id", "status", "position"],
    )
    op.create_table(
        "plan_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("checkpoint", sa.String(length=16), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("adjustment", sa.Text(), nullable=True),
        sa.Column("evaluator", sa.Text(), nullable=True),
        sa.Column("evaluator_member_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name="fk_plan_reviews_plan_id_plans", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_member_id"],
            ["members.id"],
            name="fk_plan_reviews_evaluator_member_id_members",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_plan_reviews"),
        sa.UniqueConstraint("plan_id", "checkpoint", name="uq_plan_reviews_plan_id"),
    )
    op.create_index("ix_plan_reviews_plan_id", "plan_reviews", ["plan_id"])
    with op.batch_alter_table("plans") as batch:
        batch.add_column(
            sa.Column("template", sa.String(length=20), nullable=False, server_default="2018")
        )
        batch.add_column(
            sa.Column("sections", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("plan_rows") as batch:
        batch.add_column(sa.Column("content", sa.Text(), nullable=True))
        batch.add_column(sa.Column("indicators", sa.Text(), nullable=True))
        batch.add_column(sa.Column("expected_evidence", sa.Text(), nullable=True))
        batch.add_column(sa.Column("implementation_text", sa.Text(), nullable=True))
        batch.add_column(sa.Column("issue_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_plan_rows_issue_id_priority_issues",
            "priority_issues",
            ["issue_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_rows") as batch:
        batch.drop_constraint("fk_plan_rows_issue_id_priority_issues", type_="foreignkey")
        for column in (
            "issue_id",
            "implementation_text",
            "expected_evidence",
            "indicators",
            "content",
        ):
            batch.drop_column(column)
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("sections")
        batch.drop_column("template")
    op.drop_index("ix_plan_reviews_plan_id", table_name="plan_reviews")
    op.drop_table("plan_reviews")
    op.drop_index("ix_priority_issues_plan_status_position", table_name="priority_issues")
    op.drop_table("priority_issues")
