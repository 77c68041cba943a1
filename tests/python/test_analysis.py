"""Audit and Monte Carlo uncertainty analysis from Python, on COINr tables and on a store."""

import pandas as pd

import gpsi
from conftest import ASEM_SETS

ASEM_UNCERTAINTY = {
    **ASEM_SETS,
    "uncertainty.treat": ["jrc:1", "jrc:5"],
    "uncertainty.normalise": ["minmax:1:100", "zscore:10:2"],
    "uncertainty.weight_noise": [[2, 0.25], [3, 0.25]],
}


def test_audit_coinr_tables(asem_paths, tmp_path):
    tables = gpsi.audit_coinr(*asem_paths, sets=ASEM_SETS)
    assert isinstance(tables["summary"], str) and tables["summary"]
    for name in ("correlations", "cronbach", "pca", "flags", "corr_with_index"):
        assert isinstance(tables[name], pd.DataFrame), name
    cronbach = tables["cronbach"]
    assert "Index" in set(cronbach["code"])
    assert str(cronbach["alpha"].dtype) == "float64"
    assert (tables["correlations"]["method"].isin(["pearson", "spearman"])).all()
    # With out, the files stay there.
    again = gpsi.audit_coinr(*asem_paths, sets=ASEM_SETS, out=tmp_path / "audit")
    assert (tmp_path / "audit" / "summary.txt").read_text(encoding="utf-8") == again["summary"]
    pd.testing.assert_frame_equal(again["cronbach"], cronbach, check_exact=True)


def test_audit_store(store_db, method_file):
    tables = gpsi.Store(store_db).audit(method_file, year=2020)
    assert "2020" in tables["summary"]
    assert set(tables["cronbach"]["year"]) == {2020}


def test_uncertainty_coinr_is_repeatable_and_nominal_is_the_build(asem_paths, asem_result):
    a = gpsi.uncertainty_coinr(*asem_paths, samples=40, seed=7, sets=ASEM_UNCERTAINTY)
    b = gpsi.uncertainty_coinr(*asem_paths, samples=40, seed=7, sets=ASEM_UNCERTAINTY, threads=1)
    assert a.runs == 40 and a.failed == 0
    pd.testing.assert_frame_equal(a.rank_stats, b.rank_stats, check_exact=True)
    pd.testing.assert_frame_equal(a.score_stats, b.score_stats, check_exact=True)
    index = a.rank_stats.query("code == 'Index'").set_index("unit")["nominal"]
    built = asem_result.scores.query("code == 'Index'").set_index("unit")["rank"]
    assert (index.sort_index() == built.loc[index.index].sort_index()).all()
    assert len(a.design) == 40


def test_uncertainty_store(store_db, method_file, tmp_path):
    store = gpsi.Store(store_db)
    u = store.uncertainty(method_file, samples=200, seed=3, out=tmp_path / "ua")
    assert (tmp_path / "ua" / "rank_stats.csv").is_file()
    again = store.uncertainty(method_file, samples=200, seed=3)
    pd.testing.assert_frame_equal(u.rank_stats, again.rank_stats, check_exact=True)
    other = store.uncertainty(method_file, samples=200, seed=4)
    assert not other.rank_stats.equals(u.rank_stats)
    stats = u.rank_stats.query("code == 'INDEX'")
    built = store.build(method_file).scores.query("code == 'INDEX' and rank.notna()")
    merged = stats.merge(built, on=["year", "unit"])
    assert len(merged) == 20
    assert (merged["nominal"] == merged["rank"]).all()
    assert ((merged["p05"] <= merged["median"]) & (merged["median"] <= merged["p95"])).all()
