"""Edge cases of the model and its options: the defects found by attacking dcplan (issue 12)
outside its trust boundaries, one block per numbered item, each of which failed before its fix:
subnormal budgets, a currency that overflows, varied values validated, gates and targets over
ranges and selectors, demand with no compute, no region, leftover IT money attributed, money
columns in the --currency, the split's message, a late region and an early vintage, noise,
rounding, --years, odd output names, --set of extends. Items 8 (ci-compare), 21 (schema bounds)
and 22, 25, 26 (help examples, metrics, docs/results.md) are tested in test_compare.py,
test_schema.py and test_commands.py; the items on what dcplan reads and writes in
test_trust_boundaries.py."""
import csv
import io
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import (  # noqa: E402
    MINIMAL_PATH,
    check,
    check_clean,
    finish,
    minimal_variant,
    run,
    tempdir,
    temporaries,
    write_in,
)

d = tempdir()
MINIMAL = json.load(open(MINIMAL_PATH))


def write(name, doc):
    return write_in(d, name, doc)


def scenario(name, **patch):
    return minimal_variant(d, name, **patch)


# 14. Subnormal budgets: report exits 0 and never writes nan.
for budget in ["1e-320", "5e-324"]:
    out_html = os.path.join(d, f"sub{budget}.html")
    rc, out, err = run("report", MINIMAL_PATH, "--set", f"/capex/budget={budget}", "-o", out_html)
    check(rc == 0 and not re.search(r"\bnan\b", open(out_html).read().lower()),
          f"14: budget {budget}: report exits 0 without nan: {rc} {err[:200]}")

# 15. --currency that overflows is an input error; JSON never holds a bare inf.
doc = json.loads(json.dumps(MINIMAL))
doc["fx_per_usd"] = {"CNY": 1e305}
rc, out, err = run("run", write("fx.json", doc), "--currency", "CNY", "--format", "json")
check(rc == 2 and "overflows" in err and "inf" not in out, f"15: overflow on conversion: {rc} {err}")

# 16. sweep --vary goes through the loader's rules: an initial capacity varied to 0 under a
# fleet that needs 48.8 MW.
rc, out, err = run("sweep", MINIMAL_PATH, "--vary", "/regions/us-east/initial/it_capacity_mw=0,100")
check(rc == 2 and "initial fleet needs" in err and out == "",
      f"16: a varied value is validated, nothing written: {rc} {out[:80]} {err[:200]}")

# 17. Gates and targets.
rc, out, err = run("compare", MINIMAL_PATH, MINIMAL_PATH, "--gate", "pue@2025:2026<=1.3")
check(rc == 0, f"17: a ratio over a year range is the ratio of sums (1.2), not a sum: {rc} {err}")
other_years = scenario("later.json", horizon={"start": 2040, "end": 2045}, targets=[])
rc, out, err = run("compare", MINIMAL_PATH, other_years, "--gate", "energy_twh<=+5%")
check(rc == 2 and "share no year" in err, f"17: no common year: exit 2: {rc} {err[:200]}")
rc, out, err = run("compare", MINIMAL_PATH, MINIMAL_PATH, "--gate", "energy_twh@2030:eu-*<=+5%")
check(rc == 2 and "matches no region" in err, f"17: a selector matching nothing: exit 2: {rc}")
doc = json.loads(json.dumps(MINIMAL))
doc["targets"][0]["tolerance"] = 0.5
rc, out, err = run("run", write("tolerance.json", doc), "--check", "-o", os.devnull)
check("tolerance 50%" in err, f"17: the --check table shows the tolerance: {err}")

# 18. Demand with no compute at all: the whole demand is unmet, in the total row.
doc = json.loads(json.dumps(MINIMAL))
doc["regions"]["us-east"]["initial"] = {"it_capacity_mw": 100}
doc["capex"]["budget"] = 0
doc["demand"] = {"eflop_year": 50}
doc["targets"] = []
rc, out, err = run("run", write("no-compute.json", doc), "--format", "csv", "--by", "total")
totals = list(csv.DictReader(io.StringIO(out)))
check(rc == 0 and totals and all(float(r["demand_eflop_year"]) == 50 and
                                 float(r["unmet_eflop_year"]) == 50 for r in totals),
      f"18: demand 50, unmet 50 with no compute: {[(r['demand_eflop_year'], r['unmet_eflop_year']) for r in totals][:2]}")

# 19. No region at all: the total keeps the budget; a sweep does not crash.
no_region = scenario("no-region.json", regions={}, targets=[])
rc, out, err = run("run", no_region, "--format", "csv", "--by", "total")
totals = list(csv.DictReader(io.StringIO(out)))
check(rc == 0 and float(totals[0]["budget_usd"]) == 2e9 and float(totals[0]["carryover_usd"]) == 2e9,
      f"19: budget 2e9, all carried over: {rc} {err[:200]}")
rc, out, err = run("sweep", no_region, "--vary", "/capex/budget*=uniform(0.8,1.2)", "--samples", "3")
check(rc == 0, f"19: a sweep of a scenario with no region: {rc} {err[:200]}")
check_clean(err, "19: sweep with no region")

# 20. Leftover IT money is attributed by IT excess, not by facility excess other regions absorbed.
doc = json.loads(json.dumps(MINIMAL))
doc["hardware"]["h100"]["available"] = 2040  # nothing on sale: all IT money carries over
doc["regions"]["us-east"]["initial"] = {"it_capacity_mw": 0}
doc["regions"]["us-west"] = dict(doc["regions"]["us-east"], max_new_mw_per_year=0)
doc["capex"]["it_overflow"] = "carry"  # the IT money that finds nothing to buy waits
doc["targets"] = []
rc, out, err = run("run", write("carry.json", doc), "--format", "csv")
rows20 = [r for r in csv.DictReader(io.StringIO(out)) if r["year"] == "2025"]
carry = {r["region"]: float(r["carryover_usd"]) for r in rows20}
check(rc == 0 and abs(carry.get("us-east", 0) - carry.get("us-west", 1)) < 1e-6 * carry["total"],
      f"20: equal weights, equal IT leftovers, whatever the facility caps: {carry} {err[:200]}")

# 23. --metrics takes money columns in the --currency.
rc, out, err = run("run", "scenarios/alibaba-380b.json", "--currency", "CNY", "--metrics", "capex_cny",
                   "--by", "total", "--format", "csv")
check(rc == 0 and out.startswith("year,region,capex_cny"), f"23: --metrics capex_cny: {rc} {err}")

# 24. Varying one capex share says what to do.
rc, out, err = run("sweep", MINIMAL_PATH, "--vary", "/capex/split/it=0.6,0.7")
check(rc == 2 and "--set /capex/split/other=rest" in err, f"24: the split message says what to do: {err}")
rc, out, err = run("sweep", MINIMAL_PATH, "--vary", "/capex/split/it=0.6,0.7",
                   "--set", "/capex/split/other=rest")
check(rc == 0, f"24: ... and what it says works: {rc} {err}")

# 27. A region opening after the horizon warns; a fleet vintage before its hardware is refused.
doc = json.loads(json.dumps(MINIMAL))
doc["regions"]["us-east"]["opens"] = 2040
rc, out, err = run("run", write("late.json", doc), "-o", os.devnull)
check(rc == 0 and "opens in 2040, after the horizon" in err, f"27: a late region warns: {rc} {err}")
doc = json.loads(json.dumps(MINIMAL))
doc["regions"]["us-east"]["initial"]["fleet"]["h100"] = {"2021": 40000}
rc, out, err = run("run", write("early.json", doc))
check(rc == 2 and "before the hardware is available" in err, f"27: an early vintage: {rc} {err}")

# 28. Noise is no change; one value rounds one way; --years is checked at both ends; long and
# odd output names; --set of extends/include; a sweep's overflow names its file.
rc, out, err = run("compare", MINIMAL_PATH, MINIMAL_PATH, "--set", "/regions/us-east/pue=1.2000000000000002")
check(rc == 0 and "no differences" in out, f"28: a 1e-16 difference is not a change: {out[-200:]}")
for mw in ["4545", "4545.000000000001"]:
    rc, out, err = run("run", MINIMAL_PATH, "--set", f"/regions/us-east/initial/it_capacity_mw={mw}",
                       "--set", "/capex/budget=0", "--by", "total", "--years", "2025")
    check(rc == 0 and "4.55 GW" in out, f"28: {mw} MW reads 4.55 GW: {out}")
rc, out, err = run("run", MINIMAL_PATH, "--years", "2020:2026")
check(rc == 2 and "within the horizon" in err, f"28: --years 2020:2026 is an error: {rc}")
long_name = os.path.join(d, "r" * 250 + ".csv")
rc, out, err = run("run", MINIMAL_PATH, "-o", long_name)
check(rc == 0 and os.path.isfile(long_name), f"28: a 254-character output name: {rc} {err}")
afile = write("afile", "x")
rc, out, err = run("run", MINIMAL_PATH, "-o", os.path.join(afile, "x.csv"))
check(rc == 2 and "not a directory" in err, f"28: -o under a file: {err}")
for key in ["extends", "include"]:
    rc, out, err = run("run", MINIMAL_PATH, "--set", f'/{key}="other.json"')
    check(rc == 2 and "resolved before --set" in err, f"28: --set /{key} is refused: {rc} {err}")
# (Placed by power, a price of 1e-300 buys what the power allows: finite numbers. Placed by weight
# it buys 1e300 accelerators, which overflow.)
rc, out, err = run("sweep", MINIMAL_PATH, "--vary", "/hardware/h100/price_usd=1e-300",
                   "--set", "/capex/it_placement=weights")
check(rc == 2 and err.startswith(f"error: {MINIMAL_PATH}: run 0"), f"28: the sweep names the file: {err}")
check(temporaries(d) == [], f"no temporary file left anywhere: {temporaries(d)}")

finish()
