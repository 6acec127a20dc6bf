from docledger.worker.runner import Worker

__all__ = ["Worker"]
