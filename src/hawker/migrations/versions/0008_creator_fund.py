"""creator fund: pools per period and currency, hosts' shares; ledger postings name their period

Revision ID: 0008_creator_fund
Revises: 0007_host_profiles
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_creator_fund"
down_revision: str | None = "0007_host_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "creator_fund_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("pool", sa.BigInteger(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("qualified_ms", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("pool > 0", name=op.f("ck_creator_fund_periods_pool_positive")),
        sa.CheckConstraint(
            "starts_at < ends_at", name=op.f("ck_creator_fund_periods_period_order")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_creator_fund_periods_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_creator_fund_periods")),
    )
    with op.batch_alter_table("creator_fund_periods", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_creator_fund_periods_ends_at"), ["ends_at"], unique=False
        )

    op.create_table(
        "creator_fund_shares",
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("qualified_ms", sa.BigInteger(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_creator_fund_shares_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["creator_fund_periods.id"],
            name=op.f("fk_creator_fund_shares_period_id_creator_fund_periods"),
        ),
        sa.PrimaryKeyConstraint("period_id", "host_id", name=op.f("pk_creator_fund_shares")),
    )
    with op.batch_alter_table("creator_fund_shares", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_creator_fund_shares_host_id"), ["host_id"], unique=False
        )

    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fund_period_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.drop_column("fund_period_id")

    with op.batch_alter_table("creator_fund_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_creator_fund_shares_host_id"))

    op.drop_table("creator_fund_shares")
    with op.batch_alter_table("creator_fund_periods", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_creator_fund_periods_ends_at"))

    op.drop_table("creator_fund_periods")
