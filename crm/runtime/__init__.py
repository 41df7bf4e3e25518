"""What a long-running program (the TUI) needs to run crm/ calls: the database threads.

The threads live in the data layer (db/executor.py); screens reach them only
through this name, so that nothing in screens/ imports db/.
"""

from db.executor import Database

__all__ = ["Database"]
