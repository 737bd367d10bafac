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

The keywords of these six functions, their order, defaults and the help in their docstrings are
the command line's options, read from the library's option tables (dcplan/options.hpp).

A scenario argument is a path (str, bytes or os.PathLike; "-" reads sys.stdin to its end) or a
Scenario from load(). A Scenario is a snapshot: it keeps the merged document it was loaded as,
and later calls run that document (with their `set` applied to it), whatever happens to the
files since.
"""
import inspect
import json
import numbers

from ._dcplan import Scenario, __version__, commit, load, validate  # noqa: F401
from ._dcplan import _compare, _optimize, _options, _run, _sensitivity, _solve, _sweep


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


class _Result:
    """A result object: the fields of the result's record (result_json.hpp) it shows, as
    attributes; targets as DataFrames when pandas is importable."""

    _tables = ()

    def __init__(self, d):
        pandas = _pandas()
        for key in self._fields:
            value = d[key]
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
    at_hi (the targets there, DataFrames), bound_by (what binds when infeasible, a list of
    lines: one per target), runs, set_line, patch, scenario_sha256."""

    _fields = ("feasible", "value", "tolerance", "integer", "monotone", "intervals", "at_value",
               "at_lo", "at_hi", "bound_by", "runs", "set_line", "patch", "scenario_sha256")
    _tables = ("at_value", "at_lo", "at_hi")
    _shown = ("feasible", "value", "runs")


class Lever(SolveResult):
    """One lever of dcplan.solve with several vary: its answer alone (a SolveResult), the
    parameter and multiply it varies, its cost at the answer (NaN when infeasible), and the
    cost's metric (cost_metric) and currency ("" for a metric that is not money)."""

    _fields = SolveResult._fields + ("parameter", "multiply", "cost")
    _shown = ("parameter", "feasible", "value", "cost")


class OptimizeResult(_Result):
    """dcplan.optimize's result: feasible, objective, objective_text, values ({parameter: value}
    in the order of vary, each parameter named as the command line names it: its pointer, with
    * when it is a factor), constraints (a DataFrame), bound_by (a list of lines), best_start,
    runs, set_line, patch, scenario_sha256."""

    _fields = ("feasible", "objective", "objective_text", "values", "constraints", "bound_by",
               "best_start", "runs", "set_line", "patch", "scenario_sha256")
    _tables = ("constraints",)
    _shown = ("feasible", "objective", "values", "runs")

    def __init__(self, d):
        super().__init__(d)
        # Each "PTR=LO:HI" or "PTR*=LO:HI" named by what precedes its first "=", as the library
        # reads it (parse_range).
        self.values = {p["vary"].split("=", 1)[0]: p["value"] for p in d["parameters"]}


# ---------------------------------------------------------------------------------------------
# The commands, made from their option tables (dcplan/options.hpp): the signature (keywords,
# their order and defaults), the conversion of each keyword by its form, and the docstring's
# list of keywords all come from the table the command line registers its flags from.

_TABLES = json.loads(_options())


def _shard(name, value):
    """(k, n) as the command line's K/N."""
    k, n = (0, 1) if value is None else value
    if not (isinstance(k, numbers.Integral) and isinstance(n, numbers.Integral) and 0 <= k < n):
        _refuse(name, f"expected (k, n) with 0 <= k < n, found {value!r}")
    return None if value is None else f"{k}/{n}"


def _choice(name, value, choices):
    """One of the choices, for a value the library keeps in another shape (sweep's by)."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a string, found {value!r}")
    if value not in choices:
        raise ValueError(f"{name}: expected " + " or ".join(f'"{c}"' for c in choices) +
                         f', found "{value}"')
    return value


def _convert(command, row, value):
    """A keyword as the library takes it, by its row's form and type; the library checks it."""
    name, form, kind = row["python"], row["form"], row["type"]
    if form == "ranges":
        return _varies(value, _range)
    if form == "specs":
        return _varies(value, _spec)
    if form == "years":
        return _years(value)
    if form == "optional":
        return value or ""
    if form == "count":
        return -1 if value is None else _whole(name, value, 0, 2**63 - 1)
    if form == "shard":
        return _shard(name, value)
    if form == "choice":
        return _choice(name, value, row["choices"])
    if form == "output_flag":  # Python's own: how the result is returned
        if not isinstance(value, bool):
            raise TypeError(f"{name}: expected True or False, found {type(value).__name__}")
        return value
    if kind == "int":
        return _whole(name, value)
    if kind == "int64":
        return _whole(name, value, -2**63, 2**63 - 1)
    if kind == "uint64":
        return _seed(value)
    return value


# What Python takes for a keyword beyond the command line's text, by form.
_FORMS = {
    "scenario": 'a path (str, bytes or os.PathLike; "-": sys.stdin) or a Scenario',
    "overrides": '{pointer: value}, or "PTR=JSON" texts',
    "ranges": '{pointer: (lo, hi)}, or "PTR=LO:HI" texts',
    "specs": '{pointer: SPEC} (SPEC a string, a number or numbers), or "PTR=SPEC" texts',
    "names": 'a list of names, or "a,b"',
    "years": '"A:B", "A:", ":B", a year, or a (first, last) pair',
    "shard": "a (k, n) pair",
    "count": "None for the command line's default",
    "callback": "a callable",
}


def _bounds(row):
    b = row["bounds"]
    if b is None:
        return ""
    number = (lambda v: f"{v:g}") if row["type"] == "number" else (lambda v: str(int(v)))
    if b["open"]:
        return f" In ({number(b['lo'])}, {number(b['hi'])})."
    return f" {number(b['lo'])} to {number(b['hi'])}."


def _docstring(command, summary, rows):
    lines = [summary, "", f"Keywords (the options of `dcplan {command}`, or Python's own):"]
    for row in rows:
        head = row["python"] if row["required"] else f"{row['python']}={row['python_default']!r}"
        flag = f" ({row['cli'].split(',')[-1]})" if row["cli"].startswith("-") else ""
        form = _FORMS.get(row["form"]) or ("a list of texts" if row["type"] == "texts" else "")
        lines.append(f"    {head}{flag}: {row['help']}." + (f" Takes {form}." if form else "") +
                     _bounds(row))
    return "\n".join(lines)


def _command(command):
    """The function of `command`, made of `finish` (which runs the command on the converted
    keywords): its signature from the table, its docstring finish's and the table's keywords, a
    call converting each keyword by its row."""
    table = _TABLES[command]
    rows = {row["python"]: row for row in table["options"] if row["python"]}
    ordered = [rows[name] for name in table["python"]]

    def make(finish):
        def call(arguments):
            return finish({row["python"]: _convert(command, row, arguments[row["python"]])
                           for row in ordered})
        # A real function, made as dataclasses makes its methods, so that a wrong call is the
        # interpreter's own TypeError ("solve() got an unexpected keyword argument ...") and
        # inspect.signature() and help() show the defaults.
        params = ", ".join(row["python"] if row["required"] else f"{row['python']}=_defaults[{i}]"
                           for i, row in enumerate(ordered))
        scope = {"_call": call, "_defaults": [row["python_default"] for row in ordered]}
        exec(f"def {command}({params}):\n    return _call(locals())\n", scope)
        function = scope[command]
        function.__module__ = __name__
        function.__doc__ = _docstring(command, inspect.cleandoc(finish.__doc__), ordered)
        return function
    return make


@_command("run")
def run(values):
    """Run a scenario (a path or a Scenario) and return its result table, as `dcplan run ...
    --format csv`: a pandas DataFrame when pandas is importable, else a dict of columns. The
    same checks as the command line, with its messages; money columns in another currency are
    renamed (capex_usd becomes capex_cny)."""
    return _frame(_run(values))


@_command("sweep")
def sweep(values):
    """Run a scenario over grids and Monte Carlo draws, as `dcplan sweep`, in process.

    Returns one row per run, year and region (run, the varied parameters, with targets=True a
    bool column "pass:NAME" per scenario target, year, region, the metrics), or with
    summary=True one per year, region and metric (n, mean, p5, p50, p95), then with
    targets=True a row "pass:NAME" per target (its pass rate as mean, its 90% Wilson interval
    in the columns low and high; no year, no region) and one per ratio "ratio:METRIC@A/B"
    (no year, region total): the csv's draws and numbers. Ctrl-C raises KeyboardInterrupt
    within a fraction of a second."""
    columns = _sweep(values)
    regions, names = columns.pop("_regions"), columns.pop("_metrics")
    whole = columns.pop("_whole", 0)
    _codes(columns, "region", regions)
    if values["summary"]:
        _codes(columns, "metric", names)
        if whole:
            _no_year(columns)
    return _frame(columns)


def _no_year(columns):
    """The summary's years when some rows (pass rates, ratios) have none (0 from the library):
    a nullable integer column with pandas, else floats with NaN."""
    import numpy
    years = columns["year"]
    pandas = _pandas()
    if pandas is not None:
        columns["year"] = pandas.array(numpy.where(years == 0, None, years), dtype="Int64")
    else:
        columns["year"] = numpy.where(years == 0, numpy.nan, years.astype(float))


@_command("compare")
def compare(values):
    """Run two scenarios (paths or Scenarios) and join their rows, as `dcplan compare`: a
    Comparison. A failing gate is a result (Comparison.passed), not an exception."""
    return Comparison(_compare(values))


@_command("solve")
def solve(values):
    """What it takes to meet targets, as `dcplan solve`: the smallest (maximize: largest)
    value of one parameter at which every target holds (targets such as
    "energy_twh@2032>=10x2022"); a SolveResult. With several vary (or a cost), each lever
    alone: a list of Lever, cheapest first, the infeasible last."""
    d = _solve(values)
    if "levers" not in d:
        return SolveResult(d)
    levers = [Lever(lever) for lever in d["levers"]]
    for lever in levers:
        lever.cost_metric, lever.currency = d["cost"], d["currency"]
    return levers


@_command("optimize")
def optimize(values):
    """The best value of a metric over free parameters subject to targets, as `dcplan
    optimize`; an OptimizeResult."""
    return OptimizeResult(_optimize(values))


class _Columns(dict):
    """Columns without pandas: a dict of columns with `attrs`, as a DataFrame has them."""

    attrs = None


@_command("sensitivity")
def sensitivity(values):
    """Which inputs move the answer, as `dcplan sensitivity`: tornado, morris or sobol over the
    inputs of vary for the metrics. Tornado returns a row per input and metric (input, metric,
    year, region, low, high, swing, base), the largest swing first per metric, as the command
    line's table; with tidy=True, and for morris and sobol, the tidy table (input, metric, year,
    region, statistic, value, ci_low, ci_high) of the csv. attrs: method, runs, notes and
    scenario_sha256 (a DataFrame's attrs; without pandas, the dict of columns' attribute)."""
    d = _sensitivity(values)
    wide = "tornado" in d and not values["tidy"]
    columns = d["tornado"] if wide else d["rows"]
    pandas = _pandas()
    table = _Columns(columns) if pandas is None else pandas.DataFrame(columns)
    table.attrs = {} if pandas is None else table.attrs
    table.attrs.update(method=d["method"], runs=d["runs"], notes=d["notes"],
                       scenario_sha256=d["scenario_sha256"])
    return table
