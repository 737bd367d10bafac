"""What bound a plan and the warnings of a run, as a planner meets them: warnings once each with
year and size, what bound a failed target, the limit column in the table, refused where numbers
are expected, carried by a sweep's rows; the total row's limit."""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import check, check_clean, finish, run  # noqa: E402

ALIBABA = "tests/data/v2/alibaba-380b.json"  # version 2 (the pinned figures)
CAMPUS = "scenarios/examples/campus-5gw.json"
V1 = ["--set", "/capex/it_placement=weights", "--set", "/capex/it_overflow=strand"]

# Warnings: once each, with year and size; none with -q.
rc, out, err = run("run", CAMPUS, "-o", os.devnull)
check(rc == 0 and err.count("money piles up unspent") == 1 and "2030" in err and "grid (us-campus)" in err,
      f"campus warns once that money piles up, naming the year and the constraint: {err}")
rc, out, err = run("run", CAMPUS, "-q", "-o", os.devnull)
check(rc == 0 and err == "", f"-q: no warning: {err}")
rc, out, err = run("run", ALIBABA, "-o", os.devnull, *V1)
check(err.count("accelerators wait for power") == 1 and "836 k at the end of 2028" in err,
      f"version 1 alibaba warns of the stranding, once, with the peak: {err}")
check_clean(err, "warnings")
# Capacity standing empty while facility money is held back by the grid: said once, with the
# year and both sizes.
rc, out, err = run("run", "scenarios/examples/minimal.json", "-o", os.devnull, "--set", "/capex/split/facility=0.9",
                   "--set", "/capex/split/it=0.05", "--set", "/regions/us-east/max_new_mw_per_year=20")
check(rc == 0 and err.count("stood empty while") == 1 and "in 2025, 48.1 MW" in err and "US$1.57 bn" in err,
      f"empty halls while money carries over: {err}")

# --check: a failed target says what bound its year.
rc, out, err = run("run", CAMPUS, "--check", "-o", os.devnull)
check(rc == 1 and "in 2030 bound by grid (us-campus)" in err, f"--check names the binding constraint: {err}")
rc, out, err = run("run", ALIBABA, "--check", "-o", os.devnull)
check(rc == 1 and "in 2032 bound by" in err, f"alibaba's 10x target: what bound 2032: {err[-400:]}")

# The table shows limit; the text column is refused where numbers are expected.
rc, out, err = run("run", CAMPUS, "--by", "total")
check(rc == 0 and "limit" in out.splitlines()[0] and "grid+power" in out, f"table shows limit: {out[:400]}")
rc, out, err = run("compare", CAMPUS, CAMPUS, "--gate", "limit@2030<=0")
check(rc == 2 and "is text" in err, f"a gate on limit is refused: {rc} {err}")
rc, out, err = run("sweep", CAMPUS, "--vary", "/capex/budget*=0.9,1.1", "--metrics", "limit", "--summary")
check(rc == 2 and "is text" in err, f"--summary of limit is refused: {rc} {err}")
rc, out, err = run("sweep", CAMPUS, "--vary", "/capex/budget*=0.9,1.1", "--metrics", "energy_twh,limit")
check(rc == 0 and ",grid+power" in out, f"sweep rows carry limit as words: {rc} {err} {out[:300]}")

# The total row's limit: only labels of regions given at least 10% of the year's budget.
rc, out, err = run("run", ALIBABA, "--by", "total", "--format", "csv")
rows = list(csv.DictReader(io.StringIO(out)))
check(rc == 0 and all("closed" not in r["limit"] for r in rows),
      f"the total row never says closed: {[r['limit'] for r in rows]}")

finish()
