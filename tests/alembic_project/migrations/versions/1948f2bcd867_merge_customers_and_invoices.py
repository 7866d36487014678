"""merge customers and invoices

Revision ID: 1948f2bcd867
Revises: 22d1e9bda98c, c76c34afdc20
Create Date: 2026-12-02 03:32:56.903936

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '1948f2bcd867'
down_revision: Union[str, Sequence[str], None] = ('22d1e9bda98c', 'c76c34afdc20')
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
