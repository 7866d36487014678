"""add order notes and status

Revision ID: 25652aaf3252
Revises: 794141fe39f1
Create Date: 2026-12-02 03:32:52.001952

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '25652aaf3252'
down_revision: Union[str, Sequence[str], None] = '794141fe39f1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column(
        "orders",
        sa.Column(
            "notes",
            sa.Text(),
            nullable=True,
        ),
    )
    op.add_column('orders', sa.Column('status', sa.String(length=20), nullable=False, server_default='new'))
    op.add_column("orders", sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_orders_status", table_name="orders", columns=["status"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_orders_status", table_name="orders")
    op.drop_column("orders", "shipped_at")
    op.drop_column("orders", "status")
    op.drop_column("orders", "notes")
