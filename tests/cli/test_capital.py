"""The cost of capital (model v3) from the command line: docs/model.md's worked example figure by
figure, the columns refused where the scenario writes none of their keys, and scenarios/README.md's
figures on what the plan costs when money costs money, from the commands it shows."""
import csv
import io
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import check, finish, run  # noqa: E402

# The cost of capital: docs/model.md's worked example ("The cost of capital, by hand"), figure by
# figure, from the shipped example scenario.
BUILD = "scenarios/examples/two-year-build.json"
rc, out, err = run("run", BUILD, "--format", "csv")
by = {(r["year"], r["region"]): r for r in csv.DictReader(io.StringIO(out))}
check(rc == 0, f"run {BUILD}: {rc} {err[:300]}")


def near(year, column, want, region="total", rel=5e-4):
    """A figure of the worked example, as docs/model.md rounds it."""
    got = float(by[(str(year), region)][column] or "nan") if (str(year), region) in by else float("nan")
    check(abs(got - want) <= rel * abs(want), f"{year} {region} {column}: {got} (docs say {want})")


near(2025, "it_capacity_leased_mw", 20.35)
near(2025, "lease_usd", 44.97e6)
near(2025, "it_capacity_pipeline_mw", 42.74)
near(2025, "depreciation_usd", 100e6)
near(2025, "capital_charge_usd", 125.23e6)
near(2025, "book_value_usd", 400e6)
near(2025, "maintenance_usd", 15e6)
near(2027, "financing_usd", 83.2e6)
near(2027, "depreciation_usd", 129.16e6)
near(2027, "capital_charge_usd", 184.63e6)
near(2027, "book_value_usd", 754.04e6)
near(2027, "maintenance_usd", 30e6)
near(2027, "electricity_cost_usd", 12.13e6)
near(2027, "tco_usd", 226.76e6)
near(2027, "cost_per_gpu_hour_usd", 2.59, rel=2e-3)
near(2025, "own_usd_per_mw_year", 1.741e6, region="us-east")
near(2030, "capital_charge_usd", 59.4e6)
check(by[("2025", "total")]["own_usd_per_mw_year"] == "", "own_usd_per_mw_year is empty in total rows")

# The cost-of-capital columns are refused where the scenario writes none of their keys.
rc, _, err = run("run", "scenarios/examples/minimal.json", "--metrics", "capital_charge_usd")
check(rc == 2 and "cost of capital" in err, f"--metrics capital_charge_usd without a key: {rc} {err[:300]}")
rc, out, _ = run("run", "scenarios/examples/minimal.json", "--format", "csv", "--by", "total")
check(rc == 0 and "capital_charge_usd" not in out.splitlines()[0], "without a key, no new column")

# scenarios/README.md, "What does the plan cost when money costs money?": its figures, from the
# commands it shows.
def total(path, year, metric, *args):
    rc, out, err = run("run", path, "--by", "total", "--format", "csv", "--years", str(year),
                       "--metrics", metric, *args)
    rows = list(csv.DictReader(io.StringIO(out)))
    check(rc == 0 and len(rows) == 1, f"run {path} {args}: {rc} {err[:300]}")
    return float(rows[0][metric] or "nan") if rows else float("nan")


def close(got, want, what, rel=5e-3):
    check(abs(got - want) <= rel * abs(want), f"scenarios/README.md: {what}: {got} (it says {want})")


STRAIGHT = ["--set", '/finance/capital_charge="depreciation"', "--set",
            "/finance/interest_during_construction=false"]
close(total("scenarios/alibaba-380b.json", 2032, "cost_per_eflop_year_usd"), 48.4e6, "Alibaba 2032 per EFLOP-year")
close(total("scenarios/alibaba-380b.json", 2032, "cost_per_eflop_year_usd", *STRAIGHT), 37.4e6,
      "Alibaba 2032 per EFLOP-year, straight-line")
close(total("scenarios/alibaba-380b.json", 2032, "cost_per_gpu_hour_usd"), 2.74, "Alibaba 2032 per GPU-hour")
close(total("scenarios/nvidia-openai-10gw.json", 2030, "cost_per_gpu_hour_usd"), 7.83, "10 GW per GPU-hour 2030")
PRICE = ["--set", '/demand={"eflop_year": 1e9, "price_usd_per_eflop_year": 21024000}', "--set",
         "/operations/max_utilisation=0.6"]
close(total("scenarios/nvidia-openai-10gw.json", 2030, "breakeven_utilisation", *PRICE), 0.79,
      "10 GW break-even at US$6 per GPU-hour", rel=1e-2)
LEASE = ["--set", "/regions/us/lease_usd_per_mw_year=2208720"]
close(total("scenarios/world-iea.json", 2030, "cost_per_eflop_year_usd", *LEASE), 56.1e6, "world leasing")
close(total("scenarios/world-iea.json", 2030, "cost_per_eflop_year_usd", *LEASE, "--set",
            "/regions/us/max_lease_mw=0"), 66.9e6, "world owning")
rc, out, err = run("run", "scenarios/world-iea.json", *LEASE, "--years", "2030", "--format", "csv",
                   "--metrics", "own_usd_per_mw_year")
us = [r for r in csv.DictReader(io.StringIO(out)) if r["region"] == "us"]
check(rc == 0 and us and abs(float(us[0]["own_usd_per_mw_year"]) - 1.78e6) < 0.005e6,
      f"scenarios/README.md: owning a US MW costs US$1.78 m a year: {us}")
rc, out, err = run("solve", "scenarios/world-iea.json", "--set",
                   '/demand={"eflop_year": 1e12, "price_usd_per_eflop_year": 1e7}', "--set",
                   "/operations/max_utilisation=0.29", "--target", "margin_usd@2030>=0", "--vary",
                   "/demand/price_usd_per_eflop_year=1e6:1e9")
m = re.search(r"= ([0-9.e+]+)", out)
check(rc == 0 and m is not None and abs(float(m.group(1)) - 66.9e6) < 0.05e6,
      f"scenarios/README.md: the world breaks even at US$66.9 m per EFLOP-year in 2030: {rc} {out[:300]} {err[:300]}")

finish()
