"""stream keys for live ingest

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stream_keys",
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("rotated_at", sa.DateTime(), nullable=False),
        sa.Column("publisher", sa.String(length=40), nullable=True),
        sa.Column("publishing_since", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_stream_keys_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("show_id", name=op.f("pk_stream_keys")),
    )


def downgrade() -> None:
    op.drop_table("stream_keys")
