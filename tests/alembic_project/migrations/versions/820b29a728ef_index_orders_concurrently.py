"""index orders concurrently

Revision ID: 820b29a728ef
Revises: 4e7b9edd518f
Create Date: 2026-12-02 03:32:53.345214

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '820b29a728ef'
down_revision: Union[str, Sequence[str], None] = '4e7b9edd518f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_orders_status_shipped_at",
            "orders",
            ["status", "shipped_at"],
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.get_context().autocommit_block():
        op.drop_index(
            "ix_orders_status_shipped_at",
            table_name="orders",
            postgresql_concurrently=True,
        )
