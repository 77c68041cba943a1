"""Builds release the GIL: two builds in two threads finish and agree with sequential builds."""

import threading

import pandas as pd

import gpsi
from conftest import ASEM_SETS


def test_concurrent_builds_equal_sequential(asem_paths, store_db, method_file):
    jobs = {
        "coinr": lambda: gpsi.build_coinr(*asem_paths, sets=ASEM_SETS),
        "store": lambda: gpsi.Store(store_db).build(method_file),
    }
    sequential = {name: job().scores for name, job in jobs.items()}
    concurrent, errors = {}, []

    def run(name):
        try:
            concurrent[name] = jobs[name]().scores
        except Exception as e:  # reported below; a thread's exception would be lost otherwise
            errors.append(e)

    threads = [threading.Thread(target=run, args=(name,)) for name in jobs for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a build did not finish"
    assert not errors, errors
    for name, frame in sequential.items():
        pd.testing.assert_frame_equal(concurrent[name], frame, check_exact=True)
