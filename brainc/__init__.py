"""brainc: a declarative brain compiler (recipes -> SQLite brain databases)."""
__version__ = "0.1.0"

from .kernel_cache import configure as _configure_kernel_cache

_configure_kernel_cache()  # before any Numba kernel module is imported
