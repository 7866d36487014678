"""widen order totals

Revision ID: 748036a02dea
Revises: 1948f2bcd867
Create Date: 2026-12-02 03:32:57.371194

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '748036a02dea'
down_revision: Union[str, Sequence[str], None] = '1948f2bcd867'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _widen_to_bigint(table_name: str, column_name: str) -> None:
    op.alter_column(
        table_name,
        column_name,
        existing_type=sa.Integer(),
        type_=sa.BigInteger(),
        existing_nullable=False,
    )


def upgrade() -> None:
    """Upgrade schema."""
    _widen_to_bigint("orders", "total_cents")
    op.execute(
        """
        UPDATE orders
           SET total_cents = 0
         WHERE total_cents < 0
        """
    )


def downgrade() -> None:
    """Downgrade schema."""
    pass
