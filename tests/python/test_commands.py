"""dcplan.sweep, compare, solve, optimize and sensitivity in process: the command line's numbers
to the last bit, errors as InputError, Ctrl-C as KeyboardInterrupt (pytest;
PYTHONPATH=build/python)."""
import csv
import io
import json
import math
import os
import signal
import subprocess
import sys
import time

import pytest

import dcplan

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ALIBABA = os.path.join(ROOT, "scenarios", "alibaba-380b.json")
MINIMAL = os.path.join(ROOT, "scenarios", "examples", "minimal.json")
DCPLAN = os.environ.get("DCPLAN_BIN", os.path.join(ROOT, "build", "dcplan"))


def cli(*args, ok=(0,)):
    p = subprocess.run([DCPLAN, *args], capture_output=True, text=True)
    assert p.returncode in ok, p.stderr
    return p.stdout


def table(text):
    """A csv output as rows of dicts, without sweep's first line (its header comment)."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def same(mine, text):
    """A value from Python equals a csv cell to the last bit (an empty cell: NaN)."""
    theirs = float(text) if text != "" else math.nan
    return (math.isnan(mine) and math.isnan(theirs)) or mine == theirs


SWEEP = ["--vary", "/capex/budget*=uniform(0.8,1.2)", "--vary", "/regions/us-east/pue=1.1,1.3",
         "--samples", "7", "--seed", "5"]
VARY = {"/capex/budget*": "uniform(0.8,1.2)", "/regions/us-east/pue": [1.1, 1.3]}


def test_sweep_rows_equal_the_cli_csv():
    df = dcplan.sweep(MINIMAL, vary=VARY, samples=7, seed=5, by="region",
                      metrics=["energy_twh", "capex_usd", "limit"], jobs=2)
    rows = table(cli("sweep", MINIMAL, *SWEEP, "--by", "region",
                     "--metrics", "energy_twh,capex_usd,limit"))
    assert list(df.columns) == ["run", "/capex/budget*", "/regions/us-east/pue", "year", "region",
                                "energy_twh", "capex_usd", "limit"]
    assert len(df) == len(rows) == 14 * 6 * 2
    for i, row in enumerate(rows):
        assert df["run"].iloc[i] == int(row["run"]) and df["year"].iloc[i] == int(row["year"])
        assert df["region"].iloc[i] == row["region"] and df["limit"].iloc[i] == row["limit"]
        for c in ("/capex/budget*", "/regions/us-east/pue", "energy_twh", "capex_usd"):
            assert same(float(df[c].iloc[i]), row[c]), (i, c)


def test_sweep_summary_equals_the_cli_csv():
    df = dcplan.sweep(ALIBABA, vary={"/capex/budget*": "uniform(0.8,1.2)"}, samples=300,
                      summary=True, by="region")
    rows = table(cli("sweep", ALIBABA, "--vary", "/capex/budget*=uniform(0.8,1.2)", "--samples",
                     "300", "--summary", "--by", "region"))
    assert list(df.columns) == ["year", "region", "metric", "n", "mean", "p5", "p50", "p95"]
    assert len(df) == len(rows)
    for i, row in enumerate(rows):
        assert (df["year"].iloc[i], df["region"].iloc[i], df["metric"].iloc[i]) == (
            int(row["year"]), row["region"], row["metric"])
        assert df["n"].iloc[i] == int(row["n"])
        for c in ("mean", "p5", "p50", "p95"):
            assert same(float(df[c].iloc[i]), row[c]), (i, c)


def test_sweep_targets_equal_the_cli_csv():
    """targets=True: a bool column per target in the rows, a pass rate with its Wilson interval
    in the summary (no year, no region), ratios=[...]: the csv's numbers."""
    t = "pass:energy in 2030 at least 2x 2025"
    df = dcplan.sweep(MINIMAL, vary=VARY, samples=7, seed=5, targets=True)
    rows = table(cli("sweep", MINIMAL, *SWEEP, "--targets"))
    assert list(df.columns)[:4] == ["run", "/capex/budget*", "/regions/us-east/pue", t]
    assert df[t].dtype == bool and len(df) == len(rows)
    assert [bool(v) for v in df[t]] == [row[t] == "1" for row in rows]
    summary = dcplan.sweep(MINIMAL, vary=VARY, samples=7, seed=5, targets=True, summary=True,
                           ratios="energy_twh@2030/2025")
    text = table(cli("sweep", MINIMAL, *SWEEP, "--targets", "--summary", "--ratio",
                     "energy_twh@2030/2025"))
    assert list(summary.columns) == ["year", "region", "metric", "n", "mean", "p5", "p50", "p95",
                                     "low", "high"]
    assert len(summary) == len(text)
    for i, row in enumerate(text):
        assert str(summary["metric"].iloc[i]) == row["metric"]
        year, region = summary["year"].iloc[i], summary["region"].iloc[i]
        if row["year"]:
            assert int(year) == int(row["year"])
        else:  # a pass rate or a ratio: a nullable year, missing
            assert year is dcplan._pandas().NA
        assert (region if isinstance(region, str) else "") == row["region"]
        for c in ("mean", "p5", "p50", "p95", "low", "high"):
            assert same(float(summary[c].iloc[i]), row[c]), (i, c)
    passed = sum(1 for r in rows if r["year"] == "2030" and r[t] == "1")
    rate = summary[summary["metric"] == t]
    assert rate["n"].iloc[0] == 14 and rate["mean"].iloc[0] == passed / 14
    with pytest.raises(dcplan.InputError, match="horizon"):
        dcplan.sweep(MINIMAL, vary=VARY, summary=True, ratios=["energy_twh@2040/2025"])


def test_sweep_threads_shards_and_scenarios():
    one = dcplan.sweep(MINIMAL, vary=VARY, samples=7, seed=5, jobs=1)
    two = dcplan.sweep(MINIMAL, vary=VARY, samples=7, seed=5, jobs=2)
    assert one.equals(two)
    shards = [dcplan.sweep(MINIMAL, vary=VARY, samples=7, seed=5, shard=(k, 3)) for k in range(3)]
    assert sorted(set().union(*(set(s["run"]) for s in shards))) == list(range(14))
    assert all(set(s["run"]) == {r for r in range(14) if r % 3 == k} for k, s in enumerate(shards))
    # A Scenario keeps the overrides it was loaded with, and set adds to them.
    s = dcplan.load(MINIMAL, set={"/regions/us-east/pue": 1.4})
    a = dcplan.sweep(s, vary={"/capex/budget*": [1, 2]}, set={"/capex/budget": 3e9})
    b = table(cli("sweep", MINIMAL, "--set", "/regions/us-east/pue=1.4", "--set",
                  "/capex/budget=3e9", "--vary", "/capex/budget*=1,2"))
    assert [float(x) for x in a["energy_twh"]] == [float(r["energy_twh"]) for r in b]
    # The command line's texts work too.
    c = dcplan.sweep(MINIMAL, vary=["/capex/budget*=1,2"], set=["/capex/budget=3e9",
                                                                "/regions/us-east/pue=1.4"])
    assert list(c["energy_twh"]) == list(a["energy_twh"])
    # NumPy values and arrays go in as the exact numbers they hold.
    import numpy
    grid = dcplan.sweep(MINIMAL, vary={"/regions/us-east/pue": numpy.linspace(1.1, 1.3, 3),
                                       "/capex/budget*": numpy.float64(0.9)})
    assert sorted(set(grid["/regions/us-east/pue"])) == list(numpy.linspace(1.1, 1.3, 3))
    with pytest.raises(TypeError):
        dcplan.sweep(MINIMAL, vary={"/regions/us-east/pue": [True]})
    # One override as a string is one override (not its characters).
    one = dcplan.run(MINIMAL, set="/regions/us-east/pue=1.4", by="total", metrics="energy_twh")
    assert one.equals(dcplan.run(s, by="total", metrics="energy_twh"))


def test_sweep_progress_and_a_callback_that_raises():
    seen = []
    dcplan.sweep(ALIBABA, vary={"/capex/budget*": "uniform(0.8,1.2)"}, samples=3000,
                 summary=True, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (3000, 3000)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:]))

    def stop(done, total):
        raise RuntimeError("enough")

    with pytest.raises(RuntimeError, match="enough"):
        dcplan.sweep(ALIBABA, vary={"/capex/budget*": "uniform(0.8,1.2)"}, samples=100000,
                     summary=True, progress=stop)


def test_keyboard_interrupt_stops_a_sweep_within_a_second():
    code = ("import dcplan, sys, time\n"
            "print('started', flush=True)\n"
            "try:\n"
            f"    dcplan.sweep({ALIBABA!r}, vary={{'/capex/budget*': 'uniform(0.8,1.2)'}},\n"
            "                 samples=10**8, summary=True)\n"
            "except KeyboardInterrupt:\n"
            "    print('interrupted', flush=True)\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    assert p.stdout.readline().strip() == "started"
    time.sleep(1.5)  # well into the sweep (10^8 runs would take hours)
    assert p.poll() is None
    sent = time.monotonic()
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=30)
    elapsed = time.monotonic() - sent
    assert "interrupted" in out and p.returncode == 0
    assert elapsed < 1.0, f"KeyboardInterrupt after {elapsed:.2f} s"


def test_sweep_errors_are_input_errors():
    with pytest.raises(dcplan.InputError) as e:
        dcplan.sweep(MINIMAL, vary={"/regions/us-east/pue": "normal(1.0,0.5)"}, samples=50)
    assert e.value.file == "--vary" and e.value.pointer == "/regions/us-east/pue"
    assert "run 0" in e.value.message and "bounds" in e.value.message
    with pytest.raises(dcplan.InputError) as e:
        dcplan.sweep(MINIMAL, vary={"/regions/us-east/pue": "uniform(1.3,1.1)"})
    assert "uniform" in e.value.message
    with pytest.raises(dcplan.InputError):
        dcplan.sweep(MINIMAL, vary={"/no/such/key": [1, 2]})
    with pytest.raises(dcplan.InputError):
        dcplan.sweep(MINIMAL, vary=VARY, metrics=["limit"], summary=True)
    with pytest.raises(ValueError):
        dcplan.sweep(MINIMAL, vary=VARY, by="hardware")
    for bad in (dict(shard=(2, 2)), dict(shard=(-1, 2)), dict(samples=0), dict(samples=1.5),
                dict(jobs=-1)):
        with pytest.raises(dcplan.InputError) as e:
            dcplan.sweep(MINIMAL, vary=VARY, **bad)
        assert e.value.file.lstrip("-") == next(iter(bad)), bad  # as Python or the library names it


def test_sweep_without_pandas_gives_arrays(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    cols = dcplan.sweep(MINIMAL, vary=VARY, samples=2, summary=True)
    assert isinstance(cols, dict) and cols["mean"].dtype.kind == "f"
    assert cols["region"][0] == "total" and cols["metric"][0] == "energy_twh"
    rows = dcplan.sweep(MINIMAL, vary=VARY, samples=2)
    assert rows["energy_twh"].dtype.kind == "f" and rows["run"].dtype.kind == "i"
    # Zero-copy: the array owns the engine's column (no NumPy copy made it).
    assert rows["energy_twh"].base is not None and not rows["energy_twh"].flags.owndata


CMP = ["--set", "/capex/budget=3e9", "--by", "region", "--years", "2026:2029"]


def test_compare_equals_the_cli_csv_and_gates():
    c = dcplan.compare(MINIMAL, MINIMAL, set={"/capex/budget": 3e9}, by="region",
                       years="2026:2029", gates=["energy_twh@2028<=+5%", "capex_usd@2026<=+60%"])
    rows = table(cli("compare", MINIMAL, MINIMAL, *CMP, "--format", "csv"))
    assert len(c.rows) == len(rows)
    for i, row in enumerate(rows):
        assert (c.rows["year"].iloc[i], c.rows["region"].iloc[i], c.rows["metric"].iloc[i]) == (
            int(row["year"]), row["region"], row["metric"])
        for col in ("base", "other", "diff", "rel_diff"):
            assert same(float(c.rows[col].iloc[i]), row[col]), (i, col)
    assert not c.passed
    assert list(c.gates["gate"]) == ["energy_twh@2028<=+5%", "capex_usd@2026<=+60%"]
    assert list(c.gates["passed"]) == [False, True]
    assert c.base_sha256 != c.other_sha256
    assert dcplan.compare(MINIMAL, dcplan.load(MINIMAL)).passed  # no gates: passed
    with pytest.raises(dcplan.InputError) as e:
        dcplan.compare(MINIMAL, MINIMAL, gates=["energy_twh@2028 ~ 5"])
    assert e.value.file == "--gate"
    with pytest.raises(dcplan.InputError):
        dcplan.compare(MINIMAL, MINIMAL, metrics=["limit"])


def test_solve_levers_equal_the_cli():
    """Several levers: a list of answers, cheapest first, as `solve --format json` lists them."""
    args = ["--set", '/capex/budget={"series":{"2025":2e9,"2030":2e9}}',
            "--target", "capex_usd@2030>=3e9", "--vary", "/operations/utilisation=0.1:1",
            "--vary", "/capex/budget*=1:5", "--vary", "/capex/budget/series/2030=1e9:1e10"]
    j = json.loads(cli("solve", MINIMAL, *args, "--format", "json"))
    levers = dcplan.solve(MINIMAL, vary=["/operations/utilisation=0.1:1", "/capex/budget*=1:5",
                                         "/capex/budget/series/2030=1e9:1e10"],
                          targets=["capex_usd@2030>=3e9"],
                          set={"/capex/budget": {"series": {"2025": 2e9, "2030": 2e9}}})
    assert [l.parameter for l in levers] == [l["parameter"] for l in j["levers"]]
    assert [l.cost for l in levers[:2]] == [l["cost"] for l in j["levers"][:2]]
    assert levers[1].cost == 18e9 and math.isnan(levers[2].cost) and not levers[2].feasible
    assert levers[0].cost_metric == "capex_usd@2025:2030" and levers[0].currency == "USD"


def test_solve_equals_the_cli():
    r = dcplan.solve(MINIMAL, vary={"/capex/budget": (1e9, 1e10)},
                     targets=["energy_twh@2030>=2.5"])
    j = json.loads(cli("solve", MINIMAL, "--target", "energy_twh@2030>=2.5", "--vary",
                       "/capex/budget=1000000000.0:10000000000.0", "--format", "json"))
    assert r.feasible and r.value == j["value"] and r.runs == j["runs"]
    assert r.set_line.startswith("--set /capex/budget=")
    assert bool(r.at_value["passed"].iloc[0]) and r.at_value["margin"].iloc[0] >= 0
    assert r.at_value["value"].iloc[0] >= 2.5 * (1 - 1e-9)
    with pytest.raises(dcplan.InputError):
        dcplan.solve(MINIMAL, vary="/capex/budget=1e10:1e9", targets=["energy_twh@2030>=2.5"])
    with pytest.raises(dcplan.InputError) as e:
        dcplan.solve(MINIMAL, vary="/capex/budget=1e9:1e10", targets=["energy_twh@2030>=2.5"],
                     grid=0)
    assert e.value.file == "grid"


def test_optimize_equals_the_cli():
    args = dict(objective="cost_per_eflop_year_usd@2030", maximize=False,
                vary={"/capex/split/it": (0.5, 0.9)}, set={"/capex/split/facility": "rest"},
                subject_to=["energy_twh@2030>=1.5"])
    r = dcplan.optimize(MINIMAL, **args)
    j = json.loads(cli("optimize", MINIMAL, "--minimize", "cost_per_eflop_year_usd@2030",
                       "--vary", "/capex/split/it=0.5:0.9", "--set", "/capex/split/facility=rest",
                       "--subject-to", "energy_twh@2030>=1.5", "--format", "json"))
    assert r.feasible == j["feasible"] and r.objective == j["value"]
    assert r.values == {"/capex/split/it": j["parameters"][0]["value"]} and r.runs == j["runs"]
    assert bool(r.constraints["passed"].all())
    for bad, name in ((dict(max_runs=0), "--max-runs"), (dict(xtol=-1.0), "xtol"),
                      (dict(starts=0), "--starts")):
        with pytest.raises(dcplan.InputError) as e:
            dcplan.optimize(MINIMAL, **{**args, **bad})
        assert e.value.file == name, bad


def test_sensitivity_equals_the_cli_csv():
    df = dcplan.sensitivity(MINIMAL, vary={"/capex/budget*": "0.8:1.2",
                                           "/regions/us-east/pue": "1.1:1.3"},
                            metrics=["energy_twh@2030"], method="sobol", samples=64, bootstrap=50)
    rows = table(cli("sensitivity", MINIMAL, "--metric", "energy_twh@2030", "--vary",
                     "/capex/budget*=0.8:1.2", "--vary", "/regions/us-east/pue=1.1:1.3",
                     "--method", "sobol", "--samples", "64", "--bootstrap", "50",
                     "--format", "csv"))
    assert len(df) == len(rows) == 4
    for i, row in enumerate(rows):
        assert (df["input"].iloc[i], df["statistic"].iloc[i]) == (row["input"], row["statistic"])
        for col in ("value", "ci_low", "ci_high"):
            assert same(float(df[col].iloc[i]), row[col]), (i, col)
    assert df.attrs["method"] == "sobol" and df.attrs["runs"] == 64 * 4
    with pytest.raises(dcplan.InputError):
        dcplan.sensitivity(MINIMAL, vary={"/capex/budget*": "0.8:1.2"},
                           metrics=["energy_twh@2030"], method="fast")


def test_optimize_values_are_keyed_by_parameter():
    """values: {the parameter as the command line names it: its value}, in the order of vary, a
    factor named with its *; the same numbers as the json's parameters."""
    args = dict(objective="cost_per_eflop_year_usd@2030", maximize=False,
                vary=["/capex/budget*=0.9:1.1", "/capex/split/it=0.5:0.9"],
                set={"/capex/split/facility": "rest"}, subject_to=["energy_twh@2030>=1.5"])
    r = dcplan.optimize(MINIMAL, **args)
    j = json.loads(cli("optimize", MINIMAL, "--minimize", "cost_per_eflop_year_usd@2030",
                       "--vary", "/capex/budget*=0.9:1.1", "--vary", "/capex/split/it=0.5:0.9",
                       "--set", "/capex/split/facility=rest", "--subject-to",
                       "energy_twh@2030>=1.5", "--format", "json"))
    assert list(r.values) == ["/capex/budget*", "/capex/split/it"]
    assert list(r.values.values()) == [p["value"] for p in j["parameters"]]
    assert "--set /capex/split/it=" + repr(r.values["/capex/split/it"]) in r.set_line


def test_bound_by_is_a_list_of_lines():
    """An infeasible solve says what binds, a line per target (one here), as the json does."""
    args = ["--target", "energy_twh@2030>=1e6", "--target", "peak_pflops@2030>=1e12"]
    r = dcplan.solve(MINIMAL, vary="/capex/budget*=0.5:2", targets=args[1::2])
    j = json.loads(cli("solve", MINIMAL, *args, "--vary", "/capex/budget*=0.5:2", "--format",
                       "json", ok=(1,)))
    assert not r.feasible and r.bound_by == j["bound_by"]
    assert r.bound_by == ["energy_twh@2030>=1e6: in 2030 bound by budget (us-east)",
                          "peak_pflops@2030>=1e12: in 2030 bound by budget (us-east)"]


TORNADO = dict(vary={"/regions/us-east/pue": "1.1:1.3", "/capex/budget*": "0.8:1.2"},
               metrics=["energy_twh@2030", "capex_usd@2030"], method="tornado")


def test_tornado_is_a_row_per_input():
    """Tornado: a row per input and metric, the largest swing first per metric, each number the
    csv's to the last bit; tidy=True gives the csv's rows."""
    df = dcplan.sensitivity(MINIMAL, **TORNADO)
    rows = table(cli("sensitivity", MINIMAL, "--method", "tornado", "--metric", "energy_twh@2030",
                     "--metric", "capex_usd@2030", "--vary", "/regions/us-east/pue=1.1:1.3",
                     "--vary", "/capex/budget*=0.8:1.2", "--format", "csv"))
    assert list(df.columns) == ["input", "metric", "year", "region", "low", "high", "swing", "base"]
    assert list(zip(df["input"], df["metric"])) == [
        ("/capex/budget*", "energy_twh"), ("/regions/us-east/pue", "energy_twh"),
        ("/capex/budget*", "capex_usd"), ("/regions/us-east/pue", "capex_usd")]
    csv_value = {(r["input"], r["metric"], r["statistic"]): r["value"] for r in rows}
    for i in range(len(df)):
        for col in ("low", "high", "swing", "base"):
            assert same(float(df[col].iloc[i]),
                        csv_value[(df["input"].iloc[i], df["metric"].iloc[i], col)]), (i, col)
    # The PUE moves no capex: its swing is 0, its ends the base.
    assert df["swing"].iloc[3] == 0 and df["low"].iloc[3] == df["base"].iloc[3]
    assert df.attrs["method"] == "tornado" and df.attrs["runs"] == 5
    tidy = dcplan.sensitivity(MINIMAL, **TORNADO, tidy=True)
    assert len(tidy) == len(rows) == 24
    assert [(tidy["input"].iloc[i], tidy["statistic"].iloc[i]) for i in range(24)] == \
        [(r["input"], r["statistic"]) for r in rows]
    with pytest.raises(TypeError, match="tidy"):
        dcplan.sensitivity(MINIMAL, **TORNADO, tidy="yes")


def test_without_pandas_tornado_and_budget_are_dicts(monkeypatch):
    """Without pandas: the tornado's columns as a dict with attrs, the budget as {year: value}."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    columns = dcplan.sensitivity(MINIMAL, **TORNADO)
    assert list(columns) == ["input", "metric", "year", "region", "low", "high", "swing", "base"]
    assert columns["input"][:2] == ["/capex/budget*", "/regions/us-east/pue"]
    assert columns.attrs["method"] == "tornado" and columns.attrs["runs"] == 5
    assert dcplan.load(MINIMAL).budget_usd == {year: 2e9 for year in range(2025, 2031)}
