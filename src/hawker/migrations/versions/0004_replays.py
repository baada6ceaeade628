"""replays of ended shows

Revision ID: 0004_replays
Revises: 0003_short_videos
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_replays"
down_revision: str | None = "0003_short_videos"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("show_id", sa.Integer(), nullable=False),
        sa.Column("recording", sa.String(length=120), nullable=False),
        sa.Column("video_url", sa.String(length=500), nullable=False),
        sa.Column("poster_url", sa.String(length=500), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("recording_started_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["show_id"],
            ["shows.id"],
            name=op.f("fk_replays_show_id_shows"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replays")),
        sa.UniqueConstraint("show_id", name=op.f("uq_replays_show_id")),
    )


def downgrade() -> None:
    op.drop_table("replays")
