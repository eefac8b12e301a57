"""Exceptions raised by eosmath.

Every error a user can trigger with bad input derives from :class:`EosmathError`, which is a
``ValueError``, so ``except ValueError`` keeps working in scripts.
"""


class EosmathError(ValueError):
    """Base class of every user-facing eosmath error."""


class ModelSyntaxError(EosmathError):
    """Text that should describe a model is refused (unknown name, forbidden construct)."""


class UnknownModelError(EosmathError):
    """A catalog name or hyper-parameter that does not exist."""


class InvalidInputError(EosmathError):
    """A numerical input (θ, η, a grid) that has the wrong shape or is not finite."""


class StoreError(EosmathError):
    """A sweep store that cannot be written or read as asked: held by another writer, not a
    store, unwritable, partial."""


class ResourceError(EosmathError):
    """A job that would not fit in the memory or disk space available (``force`` overrides)."""
