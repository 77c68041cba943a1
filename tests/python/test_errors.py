"""Engine failures raise gpsi.Error; wrong Python arguments raise TypeError or ValueError."""

import pytest

import gpsi
from conftest import ASEM_SETS


def test_missing_method_file(store_db, tmp_path):
    with pytest.raises(gpsi.Error) as e:
        gpsi.Store(store_db).build(tmp_path / "no-such-method.toml")
    assert str(e.value)
    assert "no-such-method.toml" in str(e.value)
    assert isinstance(e.value.code, str) and e.value.code
    assert e.value.exit_code in (1, 2, 3)
    assert issubclass(gpsi.Error, Exception)


def test_unknown_set_key(asem_paths):
    with pytest.raises(gpsi.Error) as e:
        gpsi.build_coinr(*asem_paths, sets={"pipeline.imputation": "mean"})
    assert e.value.code == "usage"
    assert "pipeline.imputation" in e.value.message


def test_bad_set_value(asem_paths):
    with pytest.raises(gpsi.Error) as e:
        gpsi.build_coinr(*asem_paths, sets={**ASEM_SETS, "pipeline.normalise": "minmax:0"})
    assert e.value.code == "bad-method"


def test_missing_coinr_file(tmp_path, asem_paths):
    with pytest.raises(gpsi.Error):
        gpsi.build_coinr(tmp_path / "iData.csv", asem_paths[1])


def test_wrong_argument_types(asem_paths, store_db):
    with pytest.raises(TypeError):
        gpsi.build_coinr(42, asem_paths[1])
    with pytest.raises(TypeError):
        gpsi.build_coinr(*asem_paths, sets={"weight.LPI": object()})
    with pytest.raises(TypeError):
        gpsi.build_coinr(*asem_paths, sets={1: 2})
    with pytest.raises(TypeError):
        gpsi.build_coinr(*asem_paths, sets="pipeline.impute=mean")
    with pytest.raises(ValueError):
        gpsi.build_coinr(*asem_paths, sets=["pipeline.impute"])
    with pytest.raises(ValueError):
        gpsi.build_coinr(*asem_paths, sets={"weight.LPI": float("nan")})
    with pytest.raises(TypeError):
        gpsi.Store(None)
    with pytest.raises(TypeError):
        gpsi.Store(store_db).uncertainty("m.toml", samples="10")
    with pytest.raises(ValueError):
        gpsi.Store(store_db).uncertainty("m.toml", samples=0)


def test_set_values_are_formatted_for_the_engine():
    assert gpsi._sets({"pipeline.denominate": True, "weight.A": 2, "weight.B": 0.1,
                       "uncertainty.treat": ["jrc:1", "jrc:5"],
                       "uncertainty.weight_noise": [[2, 0.25], [3, 0.25]],
                       "uncertainty.exclude_one": False}) == [
        "pipeline.denominate=on", "weight.A=2", "weight.B=0.1",
        'uncertainty.treat=["jrc:1","jrc:5"]',
        "uncertainty.weight_noise=[[2,0.25],[3,0.25]]",
        "uncertainty.exclude_one=false"]
