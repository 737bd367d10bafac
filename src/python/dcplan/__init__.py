"""dcplan in Python: load, validate and run scenarios in process.

    import dcplan
    df = dcplan.run("scenarios/alibaba-380b.json")          # a pandas DataFrame
    df.query('region == "total"')[["year", "energy_twh"]]

Without pandas, run returns a dict of columns (NumPy arrays and lists).
"""
from ._dcplan import Scenario, __version__, commit, load, validate  # noqa: F401
from ._dcplan import _run


class InputError(ValueError):
    """An invalid scenario or argument. `file`, `pointer` and `message` are the first problem's;
    `diagnostics` lists every one as (file, pointer, message, line, column)."""

    def __init__(self, diagnostics):
        self.diagnostics = [tuple(d) for d in diagnostics]
        first = self.diagnostics[0] if self.diagnostics else ("", "", "invalid input", 0, 0)
        self.file, self.pointer, self.message = first[0], first[1], first[2]
        super().__init__("\n".join(
            ": ".join(part for part in (d[0], d[1], d[2]) if part) for d in self.diagnostics))


def run(scenario, set=None, by="region", metrics=None):
    """Run a scenario (a path or a Scenario) and return its result table: a pandas DataFrame
    when pandas is importable, else a dict of columns. by: "region" (and total), "total" or
    "hardware"; metrics: names (a list or "a,b"), all by default; set: {pointer: value}."""
    columns = _run(scenario, set, by, metrics)
    try:
        import pandas
    except ImportError:
        return columns
    return pandas.DataFrame(columns)
