"""dcplan.run's view (by, metrics, years, currency) against `dcplan run ... --format csv`: both
call the library's run use case (dcplan::run_view), so the same cells and the same errors
(pytest; PYTHONPATH=build/python)."""
import io
import os
import subprocess

import pytest

import dcplan

numpy = pytest.importorskip("numpy")
pandas = pytest.importorskip("pandas")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ALIBABA = os.path.join(ROOT, "scenarios", "alibaba-380b.json")
MINIMAL = os.path.join(ROOT, "scenarios", "examples", "minimal.json")
DCPLAN = os.environ.get("DCPLAN_BIN", os.path.join(ROOT, "build", "dcplan"))


def cli(*args):
    return subprocess.run([DCPLAN, *args], capture_output=True, text=True)


def cli_frame(*args):
    """The command line's csv as a DataFrame, each number read back exactly (round trip)."""
    p = cli("run", *args, "--format", "csv")
    assert p.returncode == 0, p.stderr
    return pandas.read_csv(io.StringIO(p.stdout), float_precision="round_trip")


def words(column):
    """A column of words with its empty cells as None (csv: NaN; Python: "" or None)."""
    return [None if (isinstance(v, float) and v != v) or v in ("", None) else v for v in column]


def assert_same_bits(mine, theirs):
    assert list(mine.columns) == list(theirs.columns)
    assert len(mine) == len(theirs)
    for c in mine.columns:
        if c in ("region", "hardware", "limit"):
            assert words(mine[c]) == words(theirs[c]), c
            continue
        a = mine[c].to_numpy(dtype="float64")
        b = theirs[c].to_numpy(dtype="float64")
        assert numpy.array_equal(numpy.isnan(a), numpy.isnan(b)), c
        # Bit for bit, but for the sign of zero: the csv writes -0 as 0 (+ 0.0 makes -0.0 +0.0).
        full = ~numpy.isnan(a)
        assert numpy.array_equal((a[full] + 0.0).view("int64"), (b[full] + 0.0).view("int64")), c


def test_years_and_currency_equal_the_csv_to_the_bit():
    mine = dcplan.run(ALIBABA, years="2025:2030", currency="CNY")
    theirs = cli_frame(ALIBABA, "--years", "2025:2030", "--currency", "CNY")
    assert "capex_cny" in mine.columns and "capex_usd" not in mine.columns
    assert sorted(set(mine["year"])) == list(range(2025, 2031))
    assert_same_bits(mine, theirs)
    # The conversion happened: yuan are not dollars.
    usd = dcplan.run(ALIBABA, years="2025:2030")
    assert (mine["capex_cny"] != usd["capex_usd"]).any()


@pytest.mark.parametrize("keywords, args", [
    ({"by": "total", "years": "2027:", "currency": "CNY"},
     ["--by", "total", "--years", "2027:", "--currency", "CNY"]),
    ({"by": "hardware", "years": 2028, "currency": "CNY"},
     ["--by", "hardware", "--years", "2028", "--currency", "CNY"]),
    ({"metrics": ["capex_cny", "energy_twh", "limit"], "years": (None, 2026), "currency": "CNY"},
     ["--metrics", "capex_cny,energy_twh,limit", "--years", ":2026", "--currency", "CNY"]),
    ({"currency": "USD", "years": "2030"}, ["--currency", "USD", "--years", "2030"]),
])
def test_each_keyword_as_its_option(keywords, args):
    assert_same_bits(dcplan.run(ALIBABA, **keywords), cli_frame(ALIBABA, *args))


def test_a_loaded_scenario_takes_the_same_view():
    s = dcplan.load(ALIBABA)
    assert_same_bits(dcplan.run(s, by="total", years="2025:2030", currency="CNY"),
                     cli_frame(ALIBABA, "--by", "total", "--years", "2025:2030", "--currency",
                               "CNY"))


@pytest.mark.parametrize("scenario, keywords, args", [
    (ALIBABA, {"currency": "XXX"}, ["--currency", "XXX"]),
    (MINIMAL, {"currency": "CNY"}, ["--currency", "CNY"]),
    (ALIBABA, {"years": "1999:2000"}, ["--years", "1999:2000"]),
    (ALIBABA, {"years": "2025:2099"}, ["--years", "2025:2099"]),
    (ALIBABA, {"years": "2030:2025"}, ["--years", "2030:2025"]),
    (ALIBABA, {"years": "20x5"}, ["--years", "20x5"]),
    (ALIBABA, {"metrics": "capex_cny"}, ["--metrics", "capex_cny"]),
    (ALIBABA, {"metrics": "capex_cnx", "currency": "CNY"},
     ["--metrics", "capex_cnx", "--currency", "CNY"]),
    # A money cell that overflows in the currency: the first the csv meets, row by row.
    (ALIBABA, {"currency": "CNY", "set": {"/fx_per_usd/CNY": 1e300}},
     ["--currency", "CNY", "--set", "/fx_per_usd/CNY=1e300"]),
])
def test_errors_carry_the_command_lines_message(scenario, keywords, args):
    p = cli("run", scenario, *args, "--format", "csv")
    assert p.returncode == 2 and p.stdout == ""
    with pytest.raises(dcplan.InputError) as e:
        dcplan.run(scenario, **keywords)
    assert p.stderr == f"error: {e.value}\n"
    assert e.value.file == args[0]
