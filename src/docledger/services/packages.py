"""Package splitting for stages: the ledger's child registration, reached through the services
layer (stages never import the ledger; the call runs inside the stage's commit transaction)."""

from docledger.ledger.packages import Child, register_children

__all__ = ["Child", "register_children"]
