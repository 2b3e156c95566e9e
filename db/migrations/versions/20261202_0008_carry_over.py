"""carry over: a row carried from a 2018 plan into a TT57 one may need its criterion picked

`plan_rows.criterion_flags` (a JSON list, like timeline_flags and budget_flags):
"criterion_unmapped"
when the 2018 criterion has no TT57 counterpart in bot/data/criteria_mapping.yaml; cleared when
someone picks the criterion (`plans.set_criterion`).

Revision ID: 20261202_0008
Revises: 20261202_0007
Create Date: 2026-12-02 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261202_0008"
down_revision = "20261202_0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_rows") as batch:
        batch.add_column(
            sa.Column("criterion_flags", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("plan_rows") as batch:
        batch.drop_column("criterion_flags")
