"""spike alerts remember the reports they quote

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Alerts posted before this revision quote unknown reports (NULL): they are redone once.
    with op.batch_alter_table("theme_alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quoted_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("theme_alerts", schema=None) as batch_op:
        batch_op.drop_column("quoted_ids")
