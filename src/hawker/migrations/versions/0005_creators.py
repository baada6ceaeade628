"""creators: commission ledger, payouts, MCN rosters, sales; order refunds; outbox

Revision ID: 0005_creators
Revises: 0004_replays
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_creators"
down_revision: str | None = "0004_replays"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_tiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("min_gmv_30d", sa.BigInteger(), nullable=False),
        sa.Column("min_followers", sa.Integer(), nullable=False),
        sa.Column("commission_bps", sa.Integer(), nullable=False),
        sa.Column("boost_pct", sa.Integer(), nullable=False),
        sa.Column("required_programme_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("boost_pct BETWEEN 0 AND 500", name=op.f("ck_host_tiers_boost_range")),
        sa.CheckConstraint(
            "commission_bps BETWEEN 0 AND 10000", name=op.f("ck_host_tiers_commission_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_tiers")),
        sa.UniqueConstraint("name", name=op.f("uq_host_tiers_name")),
        sa.UniqueConstraint("rank", name=op.f("uq_host_tiers_rank")),
    )
    op.create_table(
        "ledger_balances",
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account", "currency", name=op.f("pk_ledger_balances")),
    )
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("payout_id", sa.Integer(), nullable=True),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
    )
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_transactions_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_transactions_order_id"), ["order_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ledger_transactions_payout_id"), ["payout_id"], unique=False
        )

    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_events_topic"), ["topic"], unique=False)

    op.create_table(
        "sales",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=True),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_sales")),
    )
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sales_host_id"), ["host_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sales_merchant_id"), ["merchant_id"], unique=False)
        batch_op.create_index("ix_sales_paid_currency", ["paid_at", "currency"], unique=False)

    op.create_table(
        "commission_accruals",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("mcn_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("share_bps", sa.Integer(), nullable=False),
        sa.Column("basis", sa.BigInteger(), nullable=False),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("mcn_share", sa.BigInteger(), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_commission_accruals_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["mcn_id"], ["users.id"], name=op.f("fk_commission_accruals_mcn_id_users")
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_commission_accruals")),
    )
    with op.batch_alter_table("commission_accruals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_accruals_host_id"), ["host_id"], unique=False
        )

    op.create_table(
        "host_tier_assignments",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("tier_id", sa.Integer(), nullable=True),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_host_tier_assignments_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tier_id"], ["host_tiers.id"], name=op.f("fk_host_tier_assignments_tier_id_host_tiers")
        ),
        sa.PrimaryKeyConstraint("host_id", name=op.f("pk_host_tier_assignments")),
    )
    op.create_table(
        "host_tier_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("from_tier_id", sa.Integer(), nullable=True),
        sa.Column("to_tier_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_host_tier_changes_host_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_tier_changes")),
    )
    with op.batch_alter_table("host_tier_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_host_tier_changes_host_id"), ["host_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_entries_transaction_id_ledger_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_account"), ["account"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_transaction_id"), ["transaction_id"], unique=False
        )

    op.create_table(
        "mcn_invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mcn_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("share_bps", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "share_bps BETWEEN 0 AND 10000", name=op.f("ck_mcn_invites_invite_share")
        ),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_mcn_invites_host_id_users")
        ),
        sa.ForeignKeyConstraint(["mcn_id"], ["users.id"], name=op.f("fk_mcn_invites_mcn_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mcn_invites")),
    )
    with op.batch_alter_table("mcn_invites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mcn_invites_host_id"), ["host_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mcn_invites_mcn_id"), ["mcn_id"], unique=False)

    op.create_table(
        "mcn_memberships",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("mcn_id", sa.Integer(), nullable=False),
        sa.Column("share_bps", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "share_bps BETWEEN 0 AND 10000", name=op.f("ck_mcn_memberships_share_range")
        ),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_mcn_memberships_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["mcn_id"], ["users.id"], name=op.f("fk_mcn_memberships_mcn_id_users")
        ),
        sa.PrimaryKeyConstraint("host_id", name=op.f("pk_mcn_memberships")),
    )
    with op.batch_alter_table("mcn_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mcn_memberships_mcn_id"), ["mcn_id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_user_id_id", ["user_id", "id"], unique=False)

    op.create_table(
        "outbox_deliveries",
        sa.Column("consumer", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_events.id"],
            name=op.f("fk_outbox_deliveries_event_id_outbox_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consumer", "event_id", name=op.f("pk_outbox_deliveries")),
    )
    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("provider_ref", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("settled_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payouts_payout_positive")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_payouts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payouts_account"), ["account"], unique=False)
        batch_op.create_index(batch_op.f("ix_payouts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "training_programmes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mcn_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mcn_id"], ["users.id"], name=op.f("fk_training_programmes_mcn_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_programmes")),
    )
    with op.batch_alter_table("training_programmes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_training_programmes_mcn_id"), ["mcn_id"], unique=False)

    op.create_table(
        "training_certificates",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_training_certificates_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["training_programmes.id"],
            name=op.f("fk_training_certificates_programme_id_training_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("host_id", "programme_id", name=op.f("pk_training_certificates")),
    )
    op.create_table(
        "training_lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.String(length=10000), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["training_programmes.id"],
            name=op.f("fk_training_lessons_programme_id_training_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_lessons")),
    )
    with op.batch_alter_table("training_lessons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_training_lessons_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "commission_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("rate_bps", sa.Integer(), nullable=False),
        sa.Column("open_to_all", sa.Boolean(), nullable=False),
        sa.Column("bonus_bps", sa.Integer(), nullable=False),
        sa.Column("bonus_min_rank", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "(product_id IS NULL) <> (category_id IS NULL)",
            name=op.f("ck_commission_offers_offer_one_target"),
        ),
        sa.CheckConstraint(
            "bonus_bps BETWEEN 0 AND 10000", name=op.f("ck_commission_offers_offer_bonus")
        ),
        sa.CheckConstraint(
            "rate_bps BETWEEN 0 AND 10000", name=op.f("ck_commission_offers_offer_rate")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_commission_offers_category_id_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_commission_offers_merchant_id_merchants"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_commission_offers_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commission_offers")),
    )
    with op.batch_alter_table("commission_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commission_offers_merchant_id"), ["merchant_id"], unique=False
        )

    op.create_table(
        "training_completions",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_training_completions_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["training_lessons.id"],
            name=op.f("fk_training_completions_lesson_id_training_lessons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("host_id", "lesson_id", name=op.f("pk_training_completions")),
    )
    op.create_table(
        "offer_invites",
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_offer_invites_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["commission_offers.id"],
            name=op.f("fk_offer_invites_offer_id_commission_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("offer_id", "host_id", name=op.f("pk_offer_invites")),
    )
    op.create_table(
        "order_refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=160), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_refunds_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_refunds")),
        sa.UniqueConstraint("ref", name=op.f("uq_order_refunds_ref")),
    )
    with op.batch_alter_table("order_refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_refunds_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("order_refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_refunds_order_id"))

    op.drop_table("order_refunds")
    op.drop_table("offer_invites")
    op.drop_table("training_completions")
    with op.batch_alter_table("commission_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_offers_merchant_id"))

    op.drop_table("commission_offers")
    with op.batch_alter_table("training_lessons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_lessons_programme_id"))

    op.drop_table("training_lessons")
    op.drop_table("training_certificates")
    with op.batch_alter_table("training_programmes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_programmes_mcn_id"))

    op.drop_table("training_programmes")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payouts_user_id"))
        batch_op.drop_index(batch_op.f("ix_payouts_account"))

    op.drop_table("payouts")
    op.drop_table("outbox_deliveries")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_id_id")

    op.drop_table("notifications")
    with op.batch_alter_table("mcn_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mcn_memberships_mcn_id"))

    op.drop_table("mcn_memberships")
    with op.batch_alter_table("mcn_invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mcn_invites_mcn_id"))
        batch_op.drop_index(batch_op.f("ix_mcn_invites_host_id"))

    op.drop_table("mcn_invites")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_account"))

    op.drop_table("ledger_entries")
    with op.batch_alter_table("host_tier_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_host_tier_changes_host_id"))

    op.drop_table("host_tier_changes")
    op.drop_table("host_tier_assignments")
    with op.batch_alter_table("commission_accruals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commission_accruals_host_id"))

    op.drop_table("commission_accruals")
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_paid_currency")
        batch_op.drop_index(batch_op.f("ix_sales_merchant_id"))
        batch_op.drop_index(batch_op.f("ix_sales_host_id"))

    op.drop_table("sales")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_events_topic"))

    op.drop_table("outbox_events")
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_payout_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_order_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_created_at"))

    op.drop_table("ledger_transactions")
    op.drop_table("ledger_balances")
    op.drop_table("host_tiers")
