import numpy as np
import pytest


@pytest.mark.slow  # compile-heavy (10-25 s on 2 cores); the slow suite and CI run it
def test_dask_local_cluster_gives_identical_results():
    distributed = pytest.importorskip("distributed")
    import eosmath as eos

    m = eos.models.get("product")
    grid = {"eta": np.linspace(0.5, 3, 8), "x": np.linspace(0.1, 2, 5), "y": 2.0}
    local = eos.sweep(m, steps=800, quiet=True, chunk=2, **grid)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
        with distributed.Client(cluster) as client:
            remote = eos.sweep(m, steps=800, quiet=True, chunk=2, dask=client, **grid)
    for name in local.data_vars:
        np.testing.assert_array_equal(local[name].values, remote[name].values)
