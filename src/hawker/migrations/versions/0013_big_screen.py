"""sales remember their channel (GMV big screen)

Revision ID: 0013_big_screen
Revises: 0009_audit
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_big_screen"
down_revision: str | None = "0009_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=10), nullable=False, server_default="direct")
        )
    # sales made before this revision take their order's channel
    op.execute(
        "UPDATE sales SET channel = "
        "(SELECT orders.channel FROM orders WHERE orders.id = sales.order_id) "
        "WHERE EXISTS (SELECT 1 FROM orders WHERE orders.id = sales.order_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_column("channel")
