"""dcplan in Python: the simulator's commands in process, results as pandas DataFrames.

    import dcplan
    df = dcplan.run("scenarios/alibaba-380b.json")          # a pandas DataFrame
    df.query('region == "total"')[["year", "energy_twh"]]
    cny = dcplan.run("scenarios/alibaba-380b.json", years="2025:2030", currency="CNY")
    mc = dcplan.sweep("scenarios/alibaba-380b.json",
                      vary={"/capex/budget*": "uniform(0.8,1.2)"}, samples=1000, summary=True)

run, sweep, compare and sensitivity return DataFrames when pandas is importable, else dicts
of columns (NumPy arrays and lists). solve and optimize return result objects. Invalid input
raises InputError with the file, the JSON pointer and the message; an argument outside the
command line's bounds (samples, jobs, trajectories ...) too, naming the argument and the range.
Ctrl-C stops a sweep, solve, optimize or sensitivity with KeyboardInterrupt within a second.

A scenario argument is a path (str, bytes or os.PathLike; "-" reads sys.stdin to its end) or a
Scenario from load(). A Scenario is a snapshot: it keeps the merged document it was loaded as,
and later calls run that document (with their `set` applied to it), whatever happens to the
files since.
"""
import numbers

from ._dcplan import Scenario, __version__, commit, load, validate  # noqa: F401
from ._dcplan import _compare, _optimize, _run, _sensitivity, _solve, _sweep


class InputError(ValueError):
    """An invalid scenario or argument. `file`, `pointer` and `message` are the first problem's;
    `diagnostics` lists every one as (file, pointer, message, line, column)."""

    def __init__(self, diagnostics):
        self.diagnostics = [tuple(d) for d in diagnostics]
        first = self.diagnostics[0] if self.diagnostics else ("", "", "invalid input", 0, 0)
        self.file, self.pointer, self.message = first[0], first[1], first[2]
        super().__init__("\n".join(
            ": ".join(part for part in (d[0], d[1], d[2]) if part) for d in self.diagnostics))


def _refuse(argument, message):
    """An invalid argument of a function here, as InputError (its `file` names the argument)."""
    raise InputError([(argument, "", message, 0, 0)])


def _whole(argument, value, low=-2**31, high=2**31 - 1):
    """An integer argument as the library takes it (the library checks its range): a bool or a
    float is refused, a value beyond [low, high] (the C type) is taken as that end, which the
    library refuses naming the range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        _refuse(argument, f"expected a whole number, found {value!r}")
    return max(low, min(high, int(value)))


def _seed(value):
    """A seed: 0 to 2^64 - 1, as on the command line."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral) or
            not 0 <= value < 2**64):
        _refuse("seed", f"expected a whole number 0 to {2**64 - 1}, found {value!r}")
    return int(value)


def _pandas():
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def _frame(columns):
    pandas = _pandas()
    return columns if pandas is None else pandas.DataFrame(columns)


def _number(v):
    """A number as the command line would take it: the shortest text that reads back equal
    (NumPy's numbers included)."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"expected a number, found {v!r}")
    return str(int(v)) if isinstance(v, numbers.Integral) else repr(float(v))


def _spec(value):
    """A sweep SPEC from Python: a string as written, a number, or numbers (a list, a tuple, an
    array)."""
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Real):
        return _number(value)
    if hasattr(value, "__iter__"):  # a list, a tuple, a NumPy array
        return ",".join(_number(v) for v in value)
    return _number(value)


def _range(value):
    """LO:HI from a string or a (lo, hi) pair."""
    if isinstance(value, str):
        return value
    lo, hi = value
    return f"{_number(lo)}:{_number(hi)}"


def _varies(vary, form):
    """{pointer: value} or ["PTR=SPEC", ...] as the command line's PTR=SPEC texts."""
    if vary is None:
        return []
    if isinstance(vary, str):
        return [vary]
    if isinstance(vary, dict):
        return [f"{pointer}={form(value)}" for pointer, value in vary.items()]
    return [str(v) for v in vary]


def _codes(columns, name, names):
    """A column of codes into `names` as a pandas Categorical (or, without pandas, its values)."""
    pandas = _pandas()
    if pandas is not None:
        columns[name] = pandas.Categorical.from_codes(columns[name], categories=names)
    else:
        import numpy
        columns[name] = numpy.asarray(names, dtype=object)[columns[name]]


def _years(value):
    """Years as the command line's --years: "A:B" (either side may be empty) or "A" as written,
    a year, or a (first, last) pair with None for an open end."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if not isinstance(value, (tuple, list)):
        return str(_whole("years", value))
    first, last = value
    return ":".join("" if y is None else str(_whole("years", y)) for y in (first, last))


def run(scenario, set=None, by="region", metrics=None, years=None, currency=None):
    """Run a scenario (a path or a Scenario) and return its result table, as `dcplan run ...
    --format csv`: a pandas DataFrame when pandas is importable, else a dict of columns.
    by: "region" (and total), "total" or "hardware"; metrics: names (a list or "a,b"), every
    column that applies by default; years: "2025:2030" ("2025:" and ":2030" too), a year, or a
    (first, last) pair, within the horizon; currency: a code of the scenario's fx_per_usd
    ("CNY"), money columns converted by year and renamed (capex_usd becomes capex_cny);
    set: {pointer: value}. The same checks as the command line, with its messages."""
    return _frame(_run(scenario, set, by, metrics, _years(years), currency or ""))


def sweep(scenario, vary, samples=None, seed=1, jobs=0, summary=False, set=None, by="total",
          metrics=None, shard=None, progress=None):
    """Run a scenario over grids and Monte Carlo draws, as `dcplan sweep`, in process.

    vary: {pointer: SPEC}, SPEC a string as on the command line ("uniform(0.8,1.2)",
    "1.1:1.3:0.05", "normal(1,0.1)"), a number, or a list of numbers; a pointer ending in *
    multiplies ({"/capex/budget*": "uniform(0.8,1.2)"}). Or a list of "PTR=SPEC" texts.
    samples: runs per grid point (default 100 with distributions, else 1); seed: of the draws
    (the csv's draws for the same arguments); jobs: threads (0: every core); by: "total" or
    "region"; metrics: names (default: as the command line); shard: (k, n) for runs i with
    i mod n = k; progress: a callable(done, total) called about every 200 ms.

    Returns one row per run, year and region (run, the varied parameters, year, region, the
    metrics), or with summary=True one per year, region and metric (n, mean, p5, p50, p95).
    Ctrl-C raises KeyboardInterrupt within a fraction of a second."""
    k, n = (0, 1) if shard is None else shard
    if not (isinstance(k, numbers.Integral) and isinstance(n, numbers.Integral) and 0 <= k < n):
        _refuse("shard", f"expected (k, n) with 0 <= k < n, found {shard!r}")
    samples = -1 if samples is None else _whole("samples", samples, 0, 2**63 - 1)
    columns = _sweep(scenario, _varies(vary, _spec), set, samples, _seed(seed),
                     _whole("jobs", jobs), summary, by, metrics, k, n, progress)
    regions, names = columns.pop("_regions"), columns.pop("_metrics")
    _codes(columns, "region", regions)
    if summary:
        _codes(columns, "metric", names)
    return _frame(columns)


class Comparison:
    """dcplan.compare's result: `rows` (year, region[, hardware], metric, base, other, diff,
    rel_diff), `gates` (gate, passed, first_year, last_year, base, other, measured, detail),
    `passed` (every gate passed), and both scenarios' hashes."""

    def __init__(self, d):
        self.rows = _frame(d["rows"])
        pandas = _pandas()
        self.gates = d["gates"] if pandas is None else pandas.DataFrame(
            d["gates"], columns=["gate", "passed", "first_year", "last_year", "base", "other",
                                 "measured", "detail"])
        self.passed = d["passed"]
        self.base_sha256, self.other_sha256 = d["base_sha256"], d["other_sha256"]

    def __repr__(self):
        return f"<dcplan.Comparison {len(self.rows)} rows, gates {'passed' if self.passed else 'FAILED'}>"


def compare(base, other, set=None, set_base=None, by="total", metrics=None, years=None,
            gates=None, gates_file=None):
    """Run two scenarios (paths or Scenarios) and join their rows, as `dcplan compare`.
    set / set_base: overrides of OTHER / BASE; by: "total", "region" or "hardware"; metrics:
    names (default: the planner's seven); years: "A:B"; gates: expressions such as
    "energy_twh@2032<=+5%" (a list), gates_file: a JSON file of them. A failing gate is a
    result (Comparison.passed), not an exception."""
    return Comparison(_compare(base, other, set, set_base, by, metrics, years or "", gates,
                               gates_file))


class _Result:
    """A result object: the command's json fields as attributes."""

    _tables = ()

    def __init__(self, d):
        pandas = _pandas()
        for key, value in d.items():
            if key in self._tables and pandas is not None:
                value = pandas.DataFrame(value, columns=_TARGET_COLUMNS)
            setattr(self, key, value)

    def __repr__(self):
        fields = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._shown)
        return f"<dcplan.{type(self).__name__} {fields}>"


_TARGET_COLUMNS = ["name", "metric", "region", "first_year", "last_year", "op", "value", "bound",
                   "tolerance", "currency", "margin", "passed", "detail"]


class SolveResult(_Result):
    """dcplan.solve's result: feasible, value (the smallest or largest value at which every
    target holds), tolerance, integer, monotone, intervals [(lo, hi)], at_value / at_lo /
    at_hi (the targets there, DataFrames), bound_by, runs, set_line, patch, scenario_sha256."""

    _tables = ("at_value", "at_lo", "at_hi")
    _shown = ("feasible", "value", "runs")


class OptimizeResult(_Result):
    """dcplan.optimize's result: feasible, objective, objective_text, values (per free
    parameter), constraints (a DataFrame), bound_by, best_start, runs, set_line, patch,
    scenario_sha256."""

    _tables = ("constraints",)
    _shown = ("feasible", "objective", "values", "runs")


def solve(scenario, vary, targets=None, scenario_targets=False, maximize=False, tolerance=1e-6,
          grid=16, jobs=0, set=None):
    """What it takes to meet targets, as `dcplan solve`: the smallest (maximize: largest) value
    of one parameter at which every target holds. vary: "PTR=LO:HI" or {pointer: (lo, hi)} with
    one key (a pointer ending in * multiplies); targets: expressions such as
    "energy_twh@2032>=10x2022"; scenario_targets: the scenario's own targets too."""
    varies = _varies(vary, _range)
    if len(varies) != 1:
        raise ValueError(f"solve varies one parameter, found {len(varies)}")
    return SolveResult(_solve(scenario, varies[0], targets, scenario_targets, maximize, tolerance,
                              _whole("grid", grid), _whole("jobs", jobs), set))


def optimize(scenario, objective, vary, subject_to=None, scenario_targets=False, maximize=True,
             starts=1, seed=1, jobs=0, max_runs=2000, xtol=1e-6, set=None):
    """The best value of a metric over free parameters subject to targets, as `dcplan
    optimize`. objective: METRIC[@YEAR[:YEAR]][:SELECTOR]; vary: {pointer: (lo, hi)} or
    ["PTR=LO:HI", ...]; subject_to: target expressions; maximize=False minimises."""
    return OptimizeResult(_optimize(scenario, objective, _varies(vary, _range), subject_to,
                                    scenario_targets, maximize, _whole("starts", starts),
                                    _seed(seed), _whole("jobs", jobs),
                                    _whole("max_runs", max_runs), xtol, set))


def sensitivity(scenario, vary, metrics, method="sobol", samples=1024, trajectories=10,
                levels=4, bootstrap=200, seed=1, jobs=0, set=None):
    """Which inputs move the answer, as `dcplan sensitivity`: tornado, morris or sobol over the
    inputs of vary ({pointer: SPEC} or ["PTR=SPEC", ...], SPEC as in sweep or "LO:HI") for the
    metrics (METRIC[@YEAR[:YEAR]][:SELECTOR]). Returns the tidy table (input, metric, year,
    region, statistic, value, ci_low, ci_high) with attrs method, runs and notes."""
    d = _sensitivity(scenario, _varies(vary, _spec), metrics, method,
                     _whole("samples", samples, -2**63, 2**63 - 1),
                     _whole("trajectories", trajectories), _whole("levels", levels),
                     _whole("bootstrap", bootstrap), _seed(seed), _whole("jobs", jobs), set)
    table = _frame(d["rows"])
    if _pandas() is not None:
        table.attrs.update(method=d["method"], runs=d["runs"], notes=d["notes"],
                           scenario_sha256=d["scenario_sha256"])
    return table
