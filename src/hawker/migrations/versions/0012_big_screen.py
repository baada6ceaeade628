"""GMV big screen: sales remember their channel; sales summed per hour and group

Revision ID: 0012_big_screen
Revises: 0011_coupons
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_big_screen"
down_revision: str | None = "0011_coupons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite keeps DateTime as text with microseconds, as SQLAlchemy writes it
HOUR = {
    "postgresql": "date_trunc('hour', paid_at)",
    "sqlite": "strftime('%Y-%m-%d %H:00:00.000000', paid_at)",
}


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
    op.create_table(
        "sales_hours",
        sa.Column("hour", sa.DateTime(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "hour",
            "currency",
            "channel",
            "host_id",
            "merchant_id",
            "show_id",
            name=op.f("pk_sales_hours"),
        ),
        sqlite_with_rowid=False,
    )
    hour = HOUR[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO sales_hours "
        "(hour, currency, channel, host_id, merchant_id, show_id, net, orders) "
        f"SELECT {hour}, currency, channel, COALESCE(host_id, 0), merchant_id, "
        "COALESCE(show_id, 0), SUM(net), SUM(CASE WHEN net > 0 THEN 1 ELSE 0 END) FROM sales "
        f"GROUP BY {hour}, currency, channel, COALESCE(host_id, 0), merchant_id, "
        "COALESCE(show_id, 0)"
    )


def downgrade() -> None:
    op.drop_table("sales_hours")
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_column("channel")
