"""backfill order status

Revision ID: 4e7b9edd518f
Revises: 25652aaf3252
Create Date: 2026-12-02 03:32:52.588740

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '4e7b9edd518f'
down_revision: Union[str, Sequence[str], None] = '25652aaf3252'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.execute("UPDATE orders SET status = 'shipped' WHERE shipped_at IS NOT NULL")
    op.execute(
        sa.text(
            "UPDATE orders SET notes = '' "
            "WHERE notes IS NULL"
        )
    )


def downgrade() -> None:
    """Downgrade schema."""
    # Data-only revision: the backfilled values replace NULLs and the default
    # status, which nothing can tell apart afterwards; there is nothing to undo.
    pass
