"""campaigns and festivals: entries (applications, show slots), traffic boosts with daily
impressions, and the campaign GMV read model

Revision ID: 0010_campaigns
Revises: 0009_audit
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_campaigns"
down_revision: str | None = "0009_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("theme_colour", sa.String(length=7), nullable=False),
        sa.Column("banner_url", sa.String(length=500), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_campaigns_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("slug", name=op.f("uq_campaigns_slug")),
    )
    op.create_table(
        "boosts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("multiplier", sa.Float(), nullable=False),
        sa.Column("score_cap", sa.Float(), nullable=True),
        sa.Column("daily_budget", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_boosts_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_boosts_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boosts")),
    )
    with op.batch_alter_table("boosts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_boosts_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index("ix_boosts_target", ["kind", "target_id"], unique=False)

    op.create_table(
        "campaign_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=True),
        sa.Column("host_id", sa.Integer(), nullable=True),
        sa.Column("deal_price", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("starts_at", sa.DateTime(), nullable=True),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["users.id"], name=op.f("fk_campaign_entries_applicant_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_entries_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_campaign_entries_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_campaign_entries_merchant_id_merchants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_entries")),
        sa.UniqueConstraint(
            "campaign_id", "kind", "target_id", name=op.f("uq_campaign_entries_campaign_id")
        ),
    )
    with op.batch_alter_table("campaign_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_campaign_entries_host_slot", ["host_id", "starts_at"], unique=False
        )
        batch_op.create_index("ix_campaign_entries_target", ["kind", "target_id"], unique=False)

    op.create_table(
        "campaign_sales",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("gmv", sa.BigInteger(), nullable=False),
        sa.Column("boosted_gmv", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=False),
        sa.Column(
            "last_event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_sales_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "order_id", name=op.f("pk_campaign_sales")),
    )
    op.create_table(
        "boost_days",
        sa.Column("boost_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("impressions", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["boost_id"],
            ["boosts.id"],
            name=op.f("fk_boost_days_boost_id_boosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("boost_id", "day", name=op.f("pk_boost_days")),
    )


def downgrade() -> None:
    op.drop_table("boost_days")
    op.drop_table("campaign_sales")
    with op.batch_alter_table("campaign_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_entries_target")
        batch_op.drop_index("ix_campaign_entries_host_slot")

    op.drop_table("campaign_entries")
    with op.batch_alter_table("boosts", schema=None) as batch_op:
        batch_op.drop_index("ix_boosts_target")
        batch_op.drop_index(batch_op.f("ix_boosts_campaign_id"))

    op.drop_table("boosts")
    op.drop_table("campaigns")
