"""Shared test set-up: every test process uses one private kernel cache directory."""

import os
import tempfile

import matplotlib

matplotlib.use("Agg")

if "EOSMATH_CACHE_DIR" not in os.environ:
    os.environ["EOSMATH_CACHE_DIR"] = tempfile.mkdtemp(prefix="eosmath-test-cache-")
