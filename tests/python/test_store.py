"""A store made by the CLI, built from Python: provenance, the CLI's files, weights."""

import pandas as pd

import gpsi
from conftest import run_cli


def test_store_build_scores_and_provenance(store_db, method_file):
    r = gpsi.Store(store_db).build(method_file)
    assert r.method_id == "python-test" and r.method_version == "test.1"
    scores = r.scores
    scored = scores[~scores["flags"].str.contains("x")]
    assert sorted(scored["year"].unique()) == [2020, 2021]
    assert len(scored["unit"].unique()) == 10
    # Values carried one year are flagged i.
    carried = scored.query("year == 2021 and unit == 'NAM' and code == 'theft'")
    assert carried["flags"].iloc[0] == "i"
    # Every provenance row names a raw value of stages.csv: of its own year when observed, of
    # the year it was carried from (data_year) when carried, and then the cell is flagged i.
    raw = r.stages.query("stage == 'raw'")
    keys = set(zip(raw["year"], raw["unit"], raw["code"]))
    prov = r.provenance
    assert len(prov) == len(raw) + 2
    assert set(prov["how"]) == {"observed", "carried"}
    missing = [k for k in zip(prov["data_year"], prov["unit"], prov["code"]) if k not in keys]
    assert not missing, missing[:5]
    observed = prov.query("how == 'observed'")
    assert (observed["year"] == observed["data_year"]).all()
    assert set(zip(observed["year"], observed["unit"], observed["code"])) == keys
    carried = prov.query("how == 'carried'").merge(scores, on=["year", "unit", "code"])
    assert sorted(carried["unit"]) == ["IND", "NAM"]
    assert (carried["flags"] == "i").all()


def test_python_tables_equal_the_cli_files(cli, store_db, method_file, tmp_path):
    sets = {"pipeline.normalise": "minmax:0:100", "weight.CRIME": 2}
    r = gpsi.Store(store_db).build(method_file, sets=sets)
    out = tmp_path / "cli"
    run_cli(cli, "--db", store_db, "build", "--method", method_file, "--set",
            "pipeline.normalise=minmax:0:100", "--set", "weight.CRIME=2", "--out", out)
    for name, frame in (("scores", r.scores), ("stages", r.stages),
                        ("provenance", r.provenance), ("eligibility", r.eligibility)):
        text = (out / f"{name}.csv").read_text(encoding="utf-8")
        assert getattr(r._handle, f"{name}_csv")() == text, name
        schema = getattr(gpsi, f"_{name.upper()}")
        pd.testing.assert_frame_equal(frame, gpsi._read_table(text, schema), check_exact=True)
    # Same method and data: the same run as the CLI's.
    assert f'"run_id": "{r.run_id}"' in (out / "run.json").read_text(encoding="utf-8")


def test_changed_weight_moves_ranks(store_db, method_file):
    store = gpsi.Store(store_db)
    base = store.build(method_file).scores.query("code == 'INDEX' and rank.notna()")
    alt = store.build(method_file, sets={"weight.ROADS": 3}).scores.query(
        "code == 'INDEX' and rank.notna()")
    both = base.merge(alt, on=["year", "unit"], suffixes=("", "_alt"))
    assert len(both) == 20
    assert (both["value"] != both["value_alt"]).any()
    # Same weights in another spelling: the same method hash.
    r1 = store.build(method_file, sets={"weight.ROADS": 3})
    r2 = store.build(method_file, sets=["weight.ROADS=3.0"])
    assert r1.method_hash == r2.method_hash
