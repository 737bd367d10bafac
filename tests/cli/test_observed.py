"""Observed history (model v3) from the command line: a ratio target read against observed
history (its required value no longer moves when a sweep moves modelled history), a base year
before the horizon, the warning when modelled history strays from observed, the observed values
marked on the report's charts."""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from common import check, finish, run  # noqa: E402

ALIBABA = "tests/data/v2/alibaba-380b.json"  # version 2 (the pinned figures)
TARGET = "energy in 2032 at least 10x 2022"


def required(*args, scenario=ALIBABA):
    """The required value of alibaba-380b's 10x2022 target, from run --check."""
    rc, _, err = run("run", scenario, "--check", "--by", "total", "--format", "csv", *args)
    check(rc in (0, 1), f"run --check {args}: {rc} {err[:300]}")
    line = next((l for l in err.splitlines() if TARGET in l), "")
    m = re.search(r">= ([0-9.e+]+)", line)
    check(m is not None, f"the target's required value in: {err[:600]}")
    return float(m.group(1)) if m else float("nan"), err


# Without observed history the base is the modelled 2022: a utilisation sweep moves the bound.
modelled = [required("--set", f"/operations/utilisation={u}")[0] for u in (0.4, 0.6, 0.9)]
check(len(set(modelled)) == 3, f"modelled base: the bound moves with utilisation: {modelled}")

# With an observed 2022 (8.31 TWh), the bound is 10 x 8.31 = 83.1 TWh whatever the utilisation.
OBSERVED = ["--set", '/observed={"energy_twh": {"2022": 8.31}}']
fixed = [required("--set", f"/operations/utilisation={u}", *OBSERVED)[0] for u in (0.4, 0.6, 0.9)]
check(fixed == [83.1, 83.1, 83.1], f"observed base: the bound stays at 83.1: {fixed}")

# The shipped alibaba-380b records its 2022 as observed (8.45 TWh, estimated from emissions):
# its --check evaluates 10x2022 against it, 84.5 TWh at any utilisation.
shipped = [required("--set", f"/operations/utilisation={u}", scenario="scenarios/alibaba-380b.json")[0]
           for u in (0.3, 0.43, 0.9)]
check(shipped == [84.5, 84.5, 84.5], f"shipped alibaba-380b: 10x the observed 2022: {shipped}")

# The run warns when a modelled total strays more than 5% from an observed one, naming both.
_, err = required("--set", "/operations/utilisation=0.4", *OBSERVED)
check("modelled energy_twh in 2022" in err and "observed" in err and "8.31 TWh" in err,
      f"the warning names the modelled and the observed value: {err[:800]}")
_, err = required(*OBSERVED, "--set", '/observed/energy_twh/2022=null')
check("modelled energy_twh" not in err, f"no observed value, no warning: {err[:400]}")

# A base year before the horizon needs an observed value: without one, an input error (exit 2)
# naming the pointer; with one, the target reads it.
EARLY = ["--set", '/targets=[{"name": "2x2021", "metric": "energy_twh", "year": 2032, '
         '"at_least": {"times": 2, "of_year": 2021}}]']
rc, _, err = run("run", ALIBABA, "--check", *EARLY)
check(rc == 2 and "/targets/0/at_least/of_year" in err and "/observed/energy_twh/2021" in err,
      f"a base year before the horizon without observed: exit 2 naming it: {rc} {err[:500]}")
rc, _, err = run("run", ALIBABA, "--check", *EARLY, "--set", '/observed={"energy_twh": {"2021": 5}}')
check(rc in (0, 1) and "2x2021" in err and ">= 10" in err,
      f"observed 2021 (5 TWh): the bound is 10: {rc} {err[:500]}")

# The report draws each observed value as a marker on the chart of its metric.
report = os.path.join(tempfile.mkdtemp(prefix="dcplan-test-"), "report.html")
rc, _, err = run("report", ALIBABA, "-o", report, *OBSERVED)
html = open(report).read() if rc == 0 else ""
energy = html[html.find('id="chart-energy"'):]
energy = energy[:energy.find("</svg>")]
check(rc == 0 and 'class="mlabel">observed<' in energy,
      f"the energy chart marks the observed 2022: {rc} {err[:300]}")

finish()
