"""brainc: a declarative brain compiler (recipes -> SQLite brain databases)."""
__version__ = "0.1.0"
