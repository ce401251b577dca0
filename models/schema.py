"""Imports every table module, so SQLModel.metadata describes the whole
schema (for migrations and the schema drift test)."""
from sqlmodel import SQLModel

import models.escalation  # noqa: F401
import models.history  # noqa: F401
import models.outbox  # noqa: F401
import models.ledger  # noqa: F401
import models.penalties  # noqa: F401

metadata = SQLModel.metadata
