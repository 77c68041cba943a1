"""COINr tables through Python: the ASEM golden against COINr 1.1.14, DataFrames in and out."""

import math

import numpy as np
import pandas as pd

import gpsi
from conftest import ASEM_SETS

SCORE_DTYPES = {"year": "Int64", "unit": "object", "code": "object", "level": "int64",
                "value": "float64", "rank": "Int64", "flags": "object"}


def close(want, got, tol=1e-9):
    """Equal within a relative tolerance, or both missing (as tests/golden/golden_test.cpp)."""
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    diff = abs(want - got)
    return diff <= tol * max(abs(want), abs(got)) or diff <= 1e-12


def test_asem_equals_coinr_aggregated_data_set(asem_result, oracle_dir):
    oracle = oracle_dir / "coinr-asem-default"
    want = pd.read_csv(oracle / "dset_Aggregated.csv", keep_default_na=False, na_values=[""],
                       float_precision="round_trip").set_index("uCode")
    scores = asem_result.scores
    kept = scores[~scores["flags"].str.contains("x")]
    got = kept.pivot(index="unit", columns="code", values="value")
    assert sorted(got.index) == sorted(want.index)
    wrong = []
    for code in want.columns:
        assert code in got.columns, f"gpsi has no column {code}"
        for unit, value in want[code].items():
            if not close(float(value), float(got.at[unit, code])):
                wrong.append((unit, code, value, got.at[unit, code]))
    assert not wrong, f"{len(wrong)} cells differ from COINr, first: {wrong[:5]}"
    assert want.size == 51 * 60


def test_asem_index_rank_equals_coinr(asem_result, oracle_dir):
    results = pd.read_csv(oracle_dir / "coinr-asem-default" / "results.csv",
                          keep_default_na=False)
    index = asem_result.scores.query("code == 'Index'").set_index("unit")
    for row in results.itertuples():
        assert index.at[row.uCode, "rank"] == row.Rank, row.uCode


def test_asem_ranks_of_every_column_equal_coinr(asem_paths, oracle_dir):
    # Ties need the exact doubles: pandas' default float parser can be one ulp off.
    idata = pd.read_csv(asem_paths[0], float_precision="round_trip")
    imeta = pd.read_csv(asem_paths[1], float_precision="round_trip")
    r = gpsi.build_coinr(idata, imeta, sets=ASEM_SETS)
    ranks = pd.read_csv(oracle_dir / "coinr-asem-default" / "ranks_all_columns.csv",
                        keep_default_na=False).set_index("uCode")
    got = r.scores.pivot(index="unit", columns="code", values="rank")
    for code in ranks.columns:
        assert (got.loc[ranks.index, code] == ranks[code]).all(), code


def test_dataframes_and_paths_give_identical_tables(asem_paths):
    # Read exactly (round_trip): the written "%.17g" text then parses to the same doubles.
    idata = pd.read_csv(asem_paths[0], float_precision="round_trip")
    imeta = pd.read_csv(asem_paths[1], float_precision="round_trip")
    from_frames = gpsi.build_coinr(idata, imeta, sets=ASEM_SETS)
    from_paths = gpsi.build_coinr(*asem_paths, sets=ASEM_SETS)
    from_str_paths = gpsi.build_coinr(str(asem_paths[0]), str(asem_paths[1]), sets=ASEM_SETS)
    for name in ("scores", "stages", "eligibility", "coverage"):
        pd.testing.assert_frame_equal(getattr(from_frames, name), getattr(from_paths, name),
                                      check_exact=True, obj=name)
    # Provenance names the data's origin: the file, or the DataFrame; imputed values name the
    # imputation instead (ASEM_SETS imputes by the mean of the units' groups).
    read = from_frames.provenance["how"] != "imputed"
    assert set(from_frames.provenance["source"][read]) == {"coinr:DataFrame"}
    assert set(from_paths.provenance["source"][read]) == {f"coinr:{asem_paths[0]}"}
    imputed = from_frames.provenance[~read]
    assert len(imputed) > 0 and set(imputed["source"]) == {""} and imputed["series"].isna().all()
    assert set(imputed["imputed_by"]) == {ASEM_SETS["pipeline.impute"]}
    # Every indicator value flagged imputed (i), and only those, is imputed in the provenance
    # (a value read but lost to a missing denominator too).
    scores = from_frames.scores
    flagged = scores[(scores["level"] == 1) & scores["flags"].str.contains("i")]
    assert set(map(tuple, imputed[["unit", "code"]].values)) == set(map(tuple, flagged[["unit", "code"]].values))
    pd.testing.assert_frame_equal(from_frames.provenance.drop(columns="source"),
                                  from_paths.provenance.drop(columns="source"), check_exact=True)
    assert from_frames._handle.scores_csv() == from_paths._handle.scores_csv()
    pd.testing.assert_frame_equal(from_paths.scores, from_str_paths.scores, check_exact=True)
    assert from_frames.data_hash == from_paths.data_hash
    # The temporary files' paths do not leak into the method hash: the same tables, the same run.
    again = gpsi.build_coinr(idata.copy(), imeta.copy(), sets=ASEM_SETS)
    assert (again.method_hash, again.run_id) == (from_frames.method_hash, from_frames.run_id)


def test_tables_have_the_documented_dtypes(asem_result):
    scores = asem_result.scores
    assert list(scores.columns) == list(SCORE_DTYPES)
    assert {c: str(t) for c, t in scores.dtypes.items()} == SCORE_DTYPES
    assert (scores["year"] == 2018).all()  # ASEM's Time column
    assert scores["flags"].map(type).eq(str).all()
    assert set(scores["level"]) == {1, 2, 3, 4}
    stages = asem_result.stages
    assert set(stages["stage"]) == {"raw", "imputed", "treated", "normalised"}
    assert str(stages["value"].dtype) == "float64"
    assert str(asem_result.eligibility["ranked"].dtype) == "bool"
    assert len(asem_result.provenance) > 0
    assert isinstance(asem_result.run_id, str) and len(asem_result.run_id) == 16
    assert all(isinstance(line, str) for line in asem_result.log)


def test_values_are_the_engines_doubles(asem_result):
    # The DataFrame holds exactly the doubles of the text the engine wrote (Python's float() is
    # correctly rounded; pandas' default parser is not always).
    lines = asem_result._handle.scores_csv().splitlines()[1:]
    want = [float(line.split(",")[4]) if line.split(",")[4] else math.nan for line in lines]
    got = asem_result.scores["value"].tolist()
    assert len(got) == len(want)
    assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(got, want))


def test_unit_codes_like_na_stay_strings_and_single_period_years_are_missing():
    # Namibia's ISO2 code "NA" (and other words pandas reads as missing by default) are units.
    idata = pd.DataFrame({
        "uName": ["Namibia", "Null Island", "Nowhere", "France"],
        "uCode": ["NA", "NULL", "nan", "FR"],
        "x": [1.0, 2.0, np.nan, 4.0],
        "y": [0.5, 0.25, 0.125, 0.1],
    })
    imeta = pd.DataFrame({
        "Level": [1, 1, 2],
        "iCode": ["x", "y", "Index"],
        "Direction": [1, -1, 1],
        "Weight": [1, 2, 1],
        "Parent": ["Index", "Index", None],
        "Type": ["Indicator", "Indicator", "Aggregate"],
    })
    r = gpsi.build_coinr(idata, imeta, sets={"pipeline.impute": "mean"})
    scores = r.scores
    assert set(scores["unit"]) == {"NA", "NULL", "nan", "FR"}
    assert scores["unit"].map(type).eq(str).all()
    assert scores["year"].isna().all() and str(scores["year"].dtype) == "Int64"
    imputed = scores.query("unit == 'nan' and code == 'x'")
    assert imputed["flags"].iloc[0] == "i"
    assert scores.query("code == 'Index'")["rank"].notna().all()
