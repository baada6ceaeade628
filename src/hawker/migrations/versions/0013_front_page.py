"""front page: stable sections, layout versions, section stats; orders.section_id

Revision ID: 0013_front_page
Revises: 0012_big_screen
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_front_page"
down_revision: str | None = "0012_big_screen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "front_page_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_front_page_sections")),
    )
    op.create_table(
        "front_page_layouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_front_page_layouts_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_front_page_layouts")),
        sa.UniqueConstraint("version", name=op.f("uq_front_page_layouts_version")),
    )
    op.create_table(
        "front_page_section_stats",
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("impressions", sa.Integer(), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["front_page_sections.id"],
            name=op.f("fk_front_page_section_stats_section_id_front_page_sections"),
        ),
        sa.PrimaryKeyConstraint(
            "section_id", "day", "user_id", name=op.f("pk_front_page_section_stats")
        ),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("section_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_orders_section_id"), ["section_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_section_id"))
        batch_op.drop_column("section_id")

    op.drop_table("front_page_section_stats")
    op.drop_table("front_page_layouts")
    op.drop_table("front_page_sections")
