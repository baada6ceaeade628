"""experiments: layers, experiments and flags, exposures, the definitions version

Revision ID: 0014_experiments
Revises: 0013_front_page
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_experiments"
down_revision: str | None = "0013_front_page"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    version = op.create_table(
        "experiment_definitions_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_definitions_version")),
    )
    # the one row every definition change bumps (hawker.experiments.service.do_bump_version)
    op.bulk_insert(version, [{"id": 1, "version": 0}])
    op.create_table(
        "experiment_layers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("salt", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_layers")),
        sa.UniqueConstraint("key", name=op.f("uq_experiment_layers_key")),
    )
    op.create_table(
        "experiments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column("unit_type", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("salt", sa.String(length=40), nullable=False),
        sa.Column("layer_id", sa.Integer(), nullable=False),
        sa.Column("layer_share", sa.Integer(), nullable=False),
        sa.Column("layer_slice", sa.JSON(), nullable=False),
        sa.Column("traffic", sa.Integer(), nullable=False),
        sa.Column("variants", sa.JSON(), nullable=False),
        sa.Column("allocation", sa.JSON(), nullable=False),
        sa.Column("targeting", sa.JSON(), nullable=False),
        sa.Column("holdout", sa.Boolean(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("guardrails", sa.JSON(), nullable=False),
        sa.Column("slot_seconds", sa.Integer(), nullable=True),
        sa.Column("shipped", sa.String(length=40), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_experiments_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["layer_id"],
            ["experiment_layers.id"],
            name=op.f("fk_experiments_layer_id_experiment_layers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
        sa.UniqueConstraint("key", name=op.f("uq_experiments_key")),
    )
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_experiments_layer_id"), ["layer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_experiments_status"), ["status"], unique=False)

    op.create_table(
        "experiment_exposures",
        sa.Column("experiment_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=40), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_experiment_exposures_experiment_id_experiments"),
        ),
        sa.PrimaryKeyConstraint(
            "experiment_id", "unit", "variant", name=op.f("pk_experiment_exposures")
        ),
    )


def downgrade() -> None:
    op.drop_table("experiment_exposures")
    with op.batch_alter_table("experiments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiments_status"))
        batch_op.drop_index(batch_op.f("ix_experiments_layer_id"))

    op.drop_table("experiments")
    op.drop_table("experiment_layers")
    op.drop_table("experiment_definitions_version")
