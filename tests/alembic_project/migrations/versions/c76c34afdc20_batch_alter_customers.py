"""batch alter customers

Revision ID: c76c34afdc20
Revises: 820b29a728ef
Create Date: 2026-12-02 03:32:55.762557

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'c76c34afdc20'
down_revision: Union[str, Sequence[str], None] = '820b29a728ef'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("customers") as batch_op:
        batch_op.add_column(sa.Column("display_name", sa.String(length=100), nullable=True))
        batch_op.alter_column(
            "email",
            existing_type=sa.String(length=255),
            type_=sa.String(length=320),
            existing_nullable=False,
        )
        batch_op.create_unique_constraint("uq_customers_display_name", ["display_name"])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_constraint("uq_customers_display_name", type_="unique")
        batch_op.alter_column(
            "email",
            existing_type=sa.String(length=320),
            type_=sa.String(length=255),
            existing_nullable=False,
        )
        batch_op.drop_column("display_name")
