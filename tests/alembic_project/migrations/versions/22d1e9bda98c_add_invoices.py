"""add invoices

Revision ID: 22d1e9bda98c
Revises: 820b29a728ef
Create Date: 2026-12-02 03:32:56.171433

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '22d1e9bda98c'
down_revision: Union[str, Sequence[str], None] = '820b29a728ef'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "invoices",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("number", sa.String(length=32), nullable=False, unique=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("orders", sa.Column("invoice_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        "fk_orders_invoice_id",
        "orders",
        "invoices",
        ["invoice_id"],
        ["id"],
        postgresql_not_valid=True,
    )
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_invoice_id")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_constraint("fk_orders_invoice_id", "orders", type_="foreignkey")
    op.drop_column("orders", "invoice_id")
    op.drop_table("invoices")
