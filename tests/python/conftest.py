"""Fixtures of the gpsi Python tests.

Run with the built package on the path (CTest's python.pytest does this):

    PYTHONPATH=build/python GPSI_DATA=../shared/data python3 -m pytest -q tests/python

Environment: GPSI_DATA, the shared data folder (default ../shared/data beside the source tree);
GPSI_ORACLE, COINr's reference results (default $GPSI_DATA/../oracle); GPSI_CLI, the gpsi
binary used to make a store and to compare with the CLI's files (default: the `gpsi` of the
build folder the package was imported from).
"""

import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import gpsi

TESTS = Path(__file__).resolve().parent
SOURCE = TESTS.parent.parent

# COINr 1.1.14's standard example pipeline on its ASEM data (tests/golden/coinr-asem-default).
ASEM_SETS = {
    "pipeline.denominate": "on",
    "pipeline.impute": "group-mean:EurAsia_group",
    "pipeline.screen": "na:0.9",
    "pipeline.treat": "jrc:5",
    "pipeline.normalise": "minmax:0:100",
    "pipeline.aggregate": "arithmetic",
}


@pytest.fixture(scope="session")
def data_dir():
    """The shared data folder."""
    path = Path(os.environ.get("GPSI_DATA") or SOURCE.parent / "shared" / "data")
    if not (path / "asem" / "iData.csv").is_file():
        pytest.fail(f"no ASEM data under {path}: set GPSI_DATA")
    return path


@pytest.fixture(scope="session")
def oracle_dir(data_dir):
    """COINr's reference results (../shared/oracle)."""
    path = Path(os.environ.get("GPSI_ORACLE") or data_dir.parent / "oracle")
    if not (path / "coinr-asem-default").is_dir():
        pytest.fail(f"no COINr oracle under {path}: set GPSI_ORACLE")
    return path


@pytest.fixture(scope="session")
def asem_paths(data_dir):
    """(iData.csv, iMeta.csv) of COINr's ASEM example."""
    return data_dir / "asem" / "iData.csv", data_dir / "asem" / "iMeta.csv"


@pytest.fixture(scope="session")
def asem_frames(asem_paths):
    """COINr's ASEM iData and iMeta as DataFrames, read the way an analyst would."""
    return pd.read_csv(asem_paths[0]), pd.read_csv(asem_paths[1])


@pytest.fixture(scope="session")
def asem_result(asem_frames):
    """The ASEM index built from DataFrames with COINr's example pipeline."""
    return gpsi.build_coinr(*asem_frames, sets=ASEM_SETS)


@pytest.fixture(scope="session")
def cli():
    """The gpsi command-line binary."""
    given = os.environ.get("GPSI_CLI")
    path = Path(given) if given else Path(gpsi.__file__).resolve().parents[2] / "gpsi"
    if not path.is_file():
        if given:
            pytest.fail(f"GPSI_CLI={given} does not exist")
        pytest.skip(f"no gpsi binary at {path} (set GPSI_CLI)")
    return path


def run_cli(cli, *args):
    """Runs the CLI; returns its stdout, failing the test with its stderr on a non-zero exit."""
    done = subprocess.run([str(cli), *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "GPSI_DB": ""}, check=False)
    assert done.returncode == 0, f"gpsi {' '.join(map(str, args))}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def method_file():
    """The small test method (tests/python/data/method.toml)."""
    return TESTS / "data" / "method.toml"


@pytest.fixture(scope="session")
def store_db(cli, data_dir, tmp_path_factory):
    """A store made by the CLI: `gpsi init`, then tests/python/data/store.csv ingested.

    The file is in gpsi's canonical layout; an empty descriptor folder makes sure no shipped
    descriptor claims it.
    """
    folder = tmp_path_factory.mktemp("store")
    db = folder / "test.db"
    (folder / "no-descriptors").mkdir()
    run_cli(cli, "--db", db, "init", "--no-fetch", "--reference", data_dir)
    run_cli(cli, "--db", db, "ingest", "--descriptors", folder / "no-descriptors",
            TESTS / "data" / "store.csv")
    return db
