"""gpsi: the Global Public Security Index engine from Python.

Builds, audits and runs the Monte Carlo uncertainty analysis of an index, from a gpsi store and a
methodology file, or from the JRC COINr package's ``iData``/``iMeta`` tables, and returns the
results as pandas DataFrames.

The tables are the engine's own CSV text (``scores.csv``, ``stages.csv``, ... exactly as
``gpsi build --out`` writes them), read with pandas: numbers are written in shortest round-trip
form and read back exactly, so a DataFrame holds the very doubles of the CLI's files.

Example::

    import gpsi
    r = gpsi.Store("my.db").build("methods/gpsi.toml", sets={"weight.cyber": 2})
    r.scores[r.scores.code == "GPSI"].sort_values(["year", "rank"])

See docs/python.md for the whole API.
"""

import contextlib
import io
import math
import numbers
import os
import shutil
import tempfile
from collections.abc import Mapping
from functools import cached_property

import numpy as np
import pandas as pd

from . import _gpsi
from ._gpsi import Error

__version__ = _gpsi.engine_version()

__all__ = [
    "Error",
    "Result",
    "Store",
    "UncertaintyResult",
    "audit_coinr",
    "build_coinr",
    "engine_version",
    "uncertainty_coinr",
]

# Column types of the engine's build tables (the CSV headers of docs and engine.hpp).
# "Int64": nullable integer (empty = <NA>); "float": float64 (empty = NaN); "int": int64;
# "str": text kept verbatim, '' when empty (unit codes such as "NA", Namibia, stay strings);
# "bool": written as 0/1.
_SCORES = {"year": "Int64", "unit": "str", "code": "str", "level": "int",
           "value": "float", "rank": "Int64", "flags": "str"}
_STAGES = {"year": "Int64", "unit": "str", "code": "str", "stage": "str",
           "value": "float"}
_PROVENANCE = {"year": "Int64", "unit": "str", "code": "str", "series": "Int64",
               "read": "str", "source": "str", "how": "str",
               "data_year": "Int64", "file_sha256": "str", "line": "Int64",
               "imputed_by": "str"}
_RECORDS = {"year": "Int64", "unit": "str", "code": "str", "read": "str",
            "data_year": "int", "source": "str", "file_sha256": "str", "line": "Int64"}
_ELIGIBILITY = {"year": "Int64", "unit": "str", "population": "float",
                "dimensions_missing": "int", "data_share": "float",
                "imputed_share": "float", "fallback_cells": "int",
                "ranked": "bool", "reason": "str"}
_COVERAGE = {"year": "Int64", "units": "int", "scored": "int", "ranked": "int",
             "not_ranked_population": "int",
             "not_ranked_dimensions": "int", "population_ranked": "float",
             "population_all": "float", "population_share": "float",
             "mean_imputed_share": "float"}
_RANK_STATS = {"year": "Int64", "unit": "str", "code": "str",
               "nominal": "Int64", "mean": "float", "median": "float",
               "p05": "float", "p95": "float"}
_SCORE_STATS = {"year": "Int64", "unit": "str", "code": "str",
                "nominal": "float", "mean": "float", "sd": "float",
                "runs": "int"}

_PANDAS_DTYPE = {"Int64": "Int64", "float": "float64", "int": "int64",
                 "str": str, "bool": "int64"}


def engine_version():
    """Return the version string of the gpsi engine the module was built with."""
    return _gpsi.engine_version()


def _read_table(text, schema=None):
    """Read the text of an engine CSV table into a DataFrame.

    With a schema (column -> kind, see the tables above) every column gets its documented dtype.
    Without one (the audit's tables), an empty cell is NaN in a numeric column and '' in a text
    column, and a ``year`` column is nullable Int64 (empty for single-period data).
    Numbers are parsed with Python's own float parser (``float_precision="round_trip"``), which
    gives back exactly the double whose shortest text the engine wrote.
    """
    source = io.StringIO(text)
    if schema is None:
        frame = pd.read_csv(source, keep_default_na=False, na_values=[""],
                            float_precision="round_trip")
        for column in frame.columns:
            if frame[column].dtype == object:
                frame[column] = frame[column].fillna("")
        if "year" in frame.columns:
            frame["year"] = frame["year"].astype("Int64")
        return frame
    dtype = {c: _PANDAS_DTYPE[k] for c, k in schema.items()}
    # Only numeric columns read an empty cell as missing; text keeps ''.
    na_values = {c: [""] for c, k in schema.items() if k in ("Int64", "float")}
    frame = pd.read_csv(source, dtype=dtype, keep_default_na=False, na_values=na_values,
                        float_precision="round_trip")
    for column, kind in schema.items():
        if kind == "bool" and column in frame.columns:
            frame[column] = frame[column].astype(bool)
    return frame


def _read_file(path, schema=None):
    """_read_table of a file the engine wrote (UTF-8)."""
    with open(path, encoding="utf-8") as f:
        return _read_table(f.read(), schema)


def _format_value(value, pipeline):
    """One ``--set`` value as the engine parses it.

    Text is passed as written (``"group-mean:EurAsia_group"``); a bool is on/off for pipeline
    keys, true/false (TOML) elsewhere; numbers are shortest round-trip text; a list or tuple is a
    TOML array (``uncertainty.treat=["jrc:1","jrc:5"]``).
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        if pipeline:
            return "on" if value else "off"
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"sets: {value!r} is not a finite number")
        return repr(number)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_toml_item(v) for v in value) + "]"
    raise TypeError(f"sets: cannot pass a value of type {type(value).__name__} ({value!r})")


def _toml_item(value):
    """An element of a TOML array: strings quoted, other values as in _format_value."""
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return '"' + escaped + '"'
    return _format_value(value, pipeline=False)


def _sets(sets):
    """The ``key=value`` strings of ``sets``: a dict, or an iterable of such strings."""
    if sets is None:
        return []
    if isinstance(sets, Mapping):
        out = []
        for key, value in sets.items():
            if not isinstance(key, str):
                raise TypeError(f"sets: keys must be str, not {type(key).__name__}")
            pipeline = key.strip().startswith("pipeline.")
            out.append(f"{key}={_format_value(value, pipeline)}")
        return out
    if isinstance(sets, str):
        raise TypeError('sets must be a dict or a list of "key=value" strings, not a str')
    out = list(sets)
    for item in out:
        if not isinstance(item, str) or "=" not in item:
            raise ValueError(f'sets: expected "key=value", got {item!r}')
    return out


def _path(value, what):
    """A path argument as str (accepts str and os.PathLike)."""
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    raise TypeError(f"{what} must be a path (str or os.PathLike), not {type(value).__name__}")


@contextlib.contextmanager
def _coinr_files(idata, imeta):
    """Yield (iData path, iMeta path): given paths, or DataFrames written to a temporary folder.

    Floats are written with 17 significant digits, which read back as the same doubles; a
    missing value is an empty cell, as in COINr's own CSV exports.
    """
    tmp = None
    try:
        paths = []
        for table, name in ((idata, "iData"), (imeta, "iMeta")):
            if isinstance(table, pd.DataFrame):
                if tmp is None:
                    tmp = tempfile.mkdtemp(prefix="gpsi-coinr-")
                path = os.path.join(tmp, name + ".csv")
                table.to_csv(path, index=False, float_format="%.17g", na_rep="")
                paths.append(path)
            else:
                paths.append(_path(table, name))
        yield paths[0], paths[1]
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def _out_dir(out):
    """Yield the folder the engine writes into: ``out``, or a temporary one removed afterwards."""
    if out is not None:
        yield _path(out, "out")
        return
    tmp = tempfile.mkdtemp(prefix="gpsi-out-")
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _check_int(value, what, minimum):
    """``value`` as an int of at least ``minimum`` (TypeError, ValueError otherwise)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{what} must be at least {minimum}, not {value}")
    return int(value)


def _check_float(value, what):
    """``value`` as a float (TypeError for anything but a real number)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number, not {type(value).__name__}")
    return float(value)


class Result:
    """A finished build: its tables as DataFrames and its identity.

    Tables (read on first use, then kept):

    - ``scores``: scores.csv -- ``year`` (Int64, <NA> for single-period COINr data), ``unit``,
      ``code`` (str), ``level`` (int64; 1 = indicator), ``value`` (float64: an indicator's
      normalised value, an aggregate's score; NaN when none), ``rank`` (Int64, 1 = best within
      year and code; <NA> when unranked), ``flags`` (str, '' when none; i imputed, t treated,
      x screened out, f fallback series, d one dimension missing, n not ranked).
    - ``stages``: stages.csv -- ``year, unit, code, stage, value``; stage is raw, imputed,
      treated or normalised.
    - ``provenance``: provenance.csv -- ``year, unit, code, series, read, source, how,
      data_year, file_sha256, line, imputed_by``: where each value came from and how it was
      made (source ``coinr:DataFrame`` for a value of an iData DataFrame; ``how`` imputed with
      ``imputed_by`` the imputation, ``series`` and ``data_year`` <NA>).
    - ``records``: records.csv -- ``year, unit, code, read, data_year, source, file_sha256,
      line``: every stored record each value was made from (each year of a window, each
      component-year of a GTI score).
    - ``eligibility``: eligibility.csv -- per unit-year ``population, dimensions_missing,
      data_share, imputed_share, fallback_cells, ranked`` (bool) and ``reason``.
    - ``coverage``: coverage.csv -- per year, units scored and ranked.

    Attributes: ``run_id``, ``data_hash``, ``method_id``, ``method_version``, ``method_hash``
    (str), ``log`` (list of str: every decision of the build, build.log's lines).
    """

    def __init__(self, handle):
        self._handle = handle

    @property
    def run_id(self):
        """The run id: a hash of the method hash, the data hash and the engine version."""
        return self._handle.run_id

    @property
    def data_hash(self):
        """SHA-256 of every input cell (unit, year, column, value, source)."""
        return self._handle.data_hash

    @property
    def method_id(self):
        """The method's ``[index] id``."""
        return self._handle.method_id

    @property
    def method_version(self):
        """The method's ``[index] version``."""
        return self._handle.method_version

    @property
    def method_hash(self):
        """SHA-256 of the method's canonical text (after ``sets``)."""
        return self._handle.method_hash

    @cached_property
    def log(self):
        """The build's log lines (build.log): screening, imputation, treatment, eligibility."""
        return list(self._handle.log)

    @cached_property
    def scores(self):
        """scores.csv as a DataFrame (see the class documentation for columns and dtypes)."""
        return _read_table(self._handle.scores_csv(), _SCORES)

    @cached_property
    def stages(self):
        """stages.csv as a DataFrame: each indicator's raw, imputed, treated, normalised value."""
        return _read_table(self._handle.stages_csv(), _STAGES)

    @cached_property
    def provenance(self):
        """provenance.csv as a DataFrame: the series, code and source behind each raw value."""
        return _read_table(self._handle.provenance_csv(), _PROVENANCE)

    @cached_property
    def records(self):
        """records.csv as a DataFrame: every stored record each value was made from."""
        return _read_table(self._handle.records_csv(), _RECORDS)

    @cached_property
    def eligibility(self):
        """eligibility.csv as a DataFrame: whether each unit-year is ranked, and why not."""
        return _read_table(self._handle.eligibility_csv(), _ELIGIBILITY)

    @cached_property
    def coverage(self):
        """coverage.csv as a DataFrame: per year, units listed, scored and ranked."""
        return _read_table(self._handle.coverage_csv(), _COVERAGE)

    def __repr__(self):
        return (f"<gpsi.Result run {self.run_id} method {self.method_id} "
                f"{self.method_version}>")


class UncertaintyResult:
    """The outcome of a Monte Carlo uncertainty analysis.

    - ``rank_stats``: rank_stats.csv -- ``year`` (Int64), ``unit``, ``code``, ``nominal``
      (Int64: the build's rank; <NA> when unranked), ``mean``, ``median``, ``p05``, ``p95``
      (float64) for every unit and aggregate;
    - ``score_stats``: score_stats.csv -- ``year, unit, code, nominal, mean, sd, runs``;
    - ``design``: design.csv -- the discrete choices of each sampled run;
    - ``runs`` (int: runs made), ``failed`` (int: runs that could not be computed),
      ``seconds`` (float: the Monte Carlo alone).
    """

    def __init__(self, rank_stats, score_stats, design, runs, failed, seconds):
        self.rank_stats = rank_stats
        self.score_stats = score_stats
        self.design = design
        self.runs = runs
        self.failed = failed
        self.seconds = seconds

    def __repr__(self):
        return (f"<gpsi.UncertaintyResult {self.runs} runs, {self.failed} "
                f"failed, {self.seconds:.2f} s>")


def _build(db, method, data, meta, sets, coinr_label=""):
    """engine::Build of a store and method, or of COINr files (named ``coinr_label`` in the
    provenance and run.json; "" = ``coinr:<iData path>``)."""
    return Result(_gpsi.build(db, method, data, meta, _sets(sets), coinr_label))


def _audit(db, method, data, meta, sets, year, p_threshold, out):
    """engine::Audit into ``out`` (or a temporary folder); its tables read back."""
    year = _check_int(year, "year", 0)
    p_threshold = _check_float(p_threshold, "p_threshold")
    sets = _sets(sets)
    with _out_dir(out) as folder:
        info = _gpsi.audit(db, method, data, meta, sets, p_threshold, year, folder)
        tables = {}
        for name in info["files"]:
            stem, ext = os.path.splitext(name)
            if ext == ".csv":
                tables[stem] = _read_file(os.path.join(folder, name))
        tables["summary"] = info["summary"]
    return tables


def _uncertainty(db, method, data, meta, sets, samples, seed, threads, out):
    """engine::Uncertainty into ``out`` (or a temporary folder); its tables read back."""
    samples = _check_int(samples, "samples", 1)
    seed = _check_int(seed, "seed", 0)
    threads = _check_int(threads, "threads", 0)
    sets = _sets(sets)
    with _out_dir(out) as folder:
        info = _gpsi.uncertainty(db, method, data, meta, sets, samples, seed, threads, folder)
        rank_stats = _read_file(os.path.join(folder, "rank_stats.csv"), _RANK_STATS)
        score_stats = _read_file(os.path.join(folder, "score_stats.csv"), _SCORE_STATS)
        design = _read_file(os.path.join(folder, "design.csv"))
    return UncertaintyResult(rank_stats, score_stats, design, info["runs"],
                             info["failed"], info["seconds"])


class Store:
    """A gpsi store: a SQLite file path or a ``postgresql://`` URI (as ``gpsi --db``).

    The store is opened by each call; as with the CLI, a path where no store exists yet is
    initialised as a new, empty store. Create and fill one with ``gpsi init`` and
    ``gpsi ingest``.
    """

    def __init__(self, path):
        self.path = _path(path, "path")

    def __repr__(self):
        return f"gpsi.Store({self.path!r})"

    def build(self, method, sets=None):
        """Build the index of ``method`` (a methodology file) over the store.

        ``sets`` overrides method keys, as ``gpsi build --set``: a dict such as
        ``{"pipeline.impute": "mean", "weight.cyber": 2}`` or a list of ``"key=value"``
        strings. Nothing is written or recorded. Returns a :class:`Result`; raises
        :class:`Error` when the engine refuses (bad method, unknown key, unreadable store).
        """
        return _build(self.path, _path(method, "method"), "", "", sets)

    def audit(self, method, year=0, sets=None, p_threshold=1.0, out=None):
        """The coherence audit of one year (as ``gpsi audit``; docs/audit.md).

        ``year`` 0 is the latest year of the build; ``p_threshold`` blanks correlations whose
        p-value exceeds it (1 = none). The engine writes its tables into ``out`` (a folder),
        or into a temporary folder removed afterwards when ``out`` is None. Returns a dict:
        each CSV file's name without ``.csv`` (``correlations``, ``cronbach``, ``pca``,
        ``flags``, ...) -> DataFrame, and ``"summary"`` -> the text of summary.txt.
        """
        return _audit(self.path, _path(method, "method"), "", "", sets, year,
                      p_threshold, out)

    def uncertainty(self, method, samples=1000, seed=1, sets=None, threads=0,
                    out=None):
        """Monte Carlo uncertainty analysis (as ``gpsi uncertainty``; docs/uncertainty.md).

        Samples the inputs of the method's ``[uncertainty]`` table (or ``sets`` such as
        ``{"uncertainty.treat": ["jrc:1", "jrc:5"]}``) ``samples`` times with ``seed``, on
        ``threads`` threads (0 = one per core; the results do not depend on it). Files go to
        ``out``, or to a temporary folder removed afterwards. Returns an
        :class:`UncertaintyResult`.
        """
        return _uncertainty(self.path, _path(method, "method"), "", "", sets,
                            samples, seed, threads, out)


def _coinr_sets(imeta, sets):
    """``sets`` for COINr tables.

    The engine names a COINr index after its iMeta file ("COINr index from PATH"), and the name
    is part of the method hash and run id; a DataFrame's temporary file gets a fixed name
    instead, so the same tables give the same hash and run id on every call. A ``sets`` entry
    for ``index.name_en`` still wins (later ones win).
    """
    sets = _sets(sets)
    if isinstance(imeta, pd.DataFrame):
        sets = ["index.name_en=COINr index from a DataFrame"] + sets
    return sets


def build_coinr(idata, imeta, sets=None):
    """Build an index given as COINr's ``iData`` and ``iMeta`` tables (no store).

    ``idata`` and ``imeta`` are DataFrames in COINr's layout (as ``COINr::ASEM_iData``) or
    paths of CSV files; the framework, directions, weights, denominators and groups come from
    them. ``sets`` as for :meth:`Store.build`. Returns a :class:`Result`.

    DataFrames are written to CSV with 17 significant digits, which read back as the same
    doubles. Read CSV files into them with ``pd.read_csv(path, float_precision="round_trip")``:
    pandas' default parser can be one unit in the last place off, which can break COINr's ties.
    """
    sets = _coinr_sets(imeta, sets)
    with _coinr_files(idata, imeta) as (data, meta):
        # A DataFrame's temporary file is gone after the build: the engine names it instead.
        label = "coinr:DataFrame" if isinstance(idata, pd.DataFrame) else ""
        return _build("", "", data, meta, sets, label)


def audit_coinr(idata, imeta, year=0, sets=None, p_threshold=1.0, out=None):
    """:meth:`Store.audit` for an index given as COINr tables (see :func:`build_coinr`)."""
    sets = _coinr_sets(imeta, sets)
    with _coinr_files(idata, imeta) as (data, meta):
        return _audit("", "", data, meta, sets, year, p_threshold, out)


def uncertainty_coinr(idata, imeta, samples=1000, seed=1, sets=None,
                      threads=0, out=None):
    """:meth:`Store.uncertainty` for an index given as COINr tables (see :func:`build_coinr`).

    COINr tables declare no uncertain inputs: give them in ``sets``, e.g.
    ``{"uncertainty.normalise": ["minmax:1:100", "zscore:10:2"]}``.
    """
    sets = _coinr_sets(imeta, sets)
    with _coinr_files(idata, imeta) as (data, meta):
        return _uncertainty("", "", data, meta, sets, samples, seed, threads, out)
