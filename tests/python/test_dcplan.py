"""The Python module: run, load, validate in process (pytest; PYTHONPATH=build/python)."""
import csv
import glob
import hashlib
import io
import math
import os
import subprocess
import sys

import pytest

import dcplan

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ALIBABA = os.path.join(ROOT, "scenarios", "alibaba-380b.json")
MINIMAL = os.path.join(ROOT, "scenarios", "examples", "minimal.json")
DCPLAN = os.environ.get("DCPLAN_BIN", os.path.join(ROOT, "build", "dcplan"))


def cli(*args):
    return subprocess.run([DCPLAN, *args], capture_output=True, text=True, check=True).stdout


def test_run_equals_the_csv_to_the_last_bit():
    df = dcplan.run(ALIBABA)
    rows = list(csv.DictReader(io.StringIO(cli("run", ALIBABA, "--format", "csv"))))
    assert len(df) == len(rows)
    numeric = [c for c in rows[0] if c not in ("year", "region", "limit")]
    for i, row in enumerate(rows):
        assert df["year"].iloc[i] == int(row["year"]) and df["region"].iloc[i] == row["region"]
        for c in numeric:
            mine = float(df[c].iloc[i])
            theirs = float(row[c]) if row[c] != "" else math.nan
            assert (math.isnan(mine) and math.isnan(theirs)) or mine == theirs, (i, c)
        assert df["limit"].iloc[i] == row["limit"]


def test_the_issue_example():
    total = dcplan.run(ALIBABA).query('region=="total"')[["year", "energy_twh"]]
    assert list(total["year"]) == list(range(2022, 2033))
    assert total["energy_twh"].iloc[-1] > total["energy_twh"].iloc[0]


def test_by_and_metrics():
    total = dcplan.run(MINIMAL, by="total", metrics=["energy_twh", "capex_usd"])
    assert list(total.columns) == ["year", "region", "energy_twh", "capex_usd"]
    assert set(total["region"]) == {"total"}
    hw = dcplan.run(MINIMAL, by="hardware", metrics="energy_twh")
    assert "hardware" in hw.columns and hw["hardware"].notna().any()


def test_set_overrides_and_scenarios():
    base = dcplan.run(MINIMAL, by="total", metrics="energy_twh")
    more = dcplan.run(MINIMAL, set={"/regions/us-east/pue": 1.5}, by="total", metrics="energy_twh")
    assert (more["energy_twh"] > base["energy_twh"]).all()
    s = dcplan.load(MINIMAL)
    assert s.horizon[0] < s.horizon[1] and s.regions == ["us-east"]
    assert list(dcplan.run(s, by="total", metrics="energy_twh")["energy_twh"]) == list(base["energy_twh"])
    assert s.to_json() == cli("validate", "--merged", MINIMAL)
    assert s.sha256 == hashlib.sha256(s.to_json().encode()).hexdigest()
    # The budget by year (US$2 bn a year from 2025): a copy, so changing it changes nothing.
    budget = s.budget_usd
    assert list(budget.index) == list(range(2025, 2031)) and budget.index.name == "year"
    assert budget[2025] == 2e9 and (budget == 2e9).all() and budget.name == "budget_usd"
    budget[2025] = 1
    assert s.budget_usd[2025] == 2e9


INVALID = sorted(p for p in glob.glob(os.path.join(ROOT, "tests", "invalid", "*.json"))
                 if os.path.basename(p) not in ("base.json", "cases.json"))


@pytest.mark.parametrize("path", INVALID[:10])
def test_invalid_input_raises_input_error(path):
    with pytest.raises(dcplan.InputError) as e:
        dcplan.load(path)
    err = e.value
    assert isinstance(err, ValueError)
    assert err.file.endswith(os.path.basename(path)) or err.file.endswith(".json")
    assert err.message and err.diagnostics
    with pytest.raises(dcplan.InputError):
        dcplan.validate(path)


def test_input_error_attributes():
    with pytest.raises(dcplan.InputError) as e:
        dcplan.run(MINIMAL, set={"/regions/us-east/pue": 0.5})
    assert e.value.pointer == "/regions/us-east/pue" and "1" in e.value.message
    with pytest.raises(dcplan.InputError) as e:
        dcplan.load(os.path.join(ROOT, "no-such-file.json"))
    assert e.value.file.endswith("no-such-file.json")
    with pytest.raises(dcplan.InputError):
        dcplan.run(MINIMAL, metrics="energy")
    dcplan.validate(MINIMAL)  # valid: no error


def test_without_pandas_a_dict_of_arrays(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    cols = dcplan.run(MINIMAL, by="total", metrics="energy_twh")
    assert isinstance(cols, dict) and cols["energy_twh"].dtype.kind == "f"


def test_a_selector_is_one_input():
    # One column, one draw for every mainland region; one input of sensitivity; the error names
    # the selector.
    df = dcplan.sweep(ALIBABA, vary={"/regions/#china/pue*": "uniform(0.95,1.1)"}, samples=3,
                      metrics=["energy_twh"])
    assert [c for c in df.columns if c.startswith("/")] == ["/regions/#china/pue*"]
    assert df["run"].nunique() == 3
    s = dcplan.sensitivity(ALIBABA, vary=["/regions/cn-*/pue*=uniform(0.95,1.1)", "/capex/budget*=0.8:1.2"],
                           metrics=["energy_twh@2032"], method="tornado")
    assert sorted(s.input.unique()) == ["/capex/budget*", "/regions/cn-*/pue*"]
    assert s.attrs["runs"] == 5
    with pytest.raises(dcplan.InputError, match='the selector "af-\\*" matches no region'):
        dcplan.sweep(ALIBABA, vary={"/regions/af-*/pue": "1.2"})
