"""Escalation records, formal acts and penalties (issue 3). Placeholder:
filled in by the escalation work; kept in the chain so later revisions
have a stable parent.

Revision ID: 0002
Revises: 0001
"""

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
