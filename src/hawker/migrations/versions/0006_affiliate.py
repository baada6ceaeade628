"""affiliate links; orders and sales remember the link; events by user and time

Revision ID: 0006_affiliate
Revises: 0005_creators
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_affiliate"
down_revision: str | None = "0005_creators"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "affiliate_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_affiliate_links_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_affiliate_links_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliate_links")),
        sa.UniqueConstraint("code", name=op.f("uq_affiliate_links_code")),
        sa.UniqueConstraint("host_id", "product_id", name="uq_affiliate_host_product"),
    )
    with op.batch_alter_table("affiliate_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_affiliate_links_host_id"), ["host_id"], unique=False)

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_user_at", ["user_id", "at"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_orders_link_id_affiliate_links"), "affiliate_links", ["link_id"], ["id"]
        )

    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sales_link_id"), ["link_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_link_id"))
        batch_op.drop_column("link_id")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_orders_link_id_affiliate_links"), type_="foreignkey"
        )
        batch_op.drop_column("link_id")

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_user_at")

    with op.batch_alter_table("affiliate_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affiliate_links_host_id"))

    op.drop_table("affiliate_links")
