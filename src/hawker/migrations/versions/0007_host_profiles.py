"""host profiles: a host's bio and the catalogue categories they sell in

Revision ID: 0007_host_profiles
Revises: 0006_affiliate
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_host_profiles"
down_revision: str | None = "0006_affiliate"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_profiles",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("bio", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["users.id"],
            name=op.f("fk_host_profiles_host_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("host_id", name=op.f("pk_host_profiles")),
    )
    op.create_table(
        "host_categories",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_host_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["users.id"],
            name=op.f("fk_host_categories_host_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("host_id", "category_id", name=op.f("pk_host_categories")),
    )
    with op.batch_alter_table("host_categories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_host_categories_category_id"), ["category_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("host_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_host_categories_category_id"))

    op.drop_table("host_categories")
    op.drop_table("host_profiles")
