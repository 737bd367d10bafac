"""dcplan sensitivity from the command line: inputs fitted to the format and said, bad input
refused, the same output whatever the thread count, every format."""
import csv
import io
import json
import os
import sys
import xml.dom.minidom

sys.path.insert(0, os.path.dirname(__file__))
from common import check, check_clean, finish, run  # noqa: E402

ALIBABA = "scenarios/alibaba-380b.json"

# A PUE range reaching below 1, a lead time of 1.5:3.5, a lifetime scaled by 0.8: sampled
# validly, the fitting said, no error.
args = ["sensitivity", ALIBABA, "--method", "sobol", "--samples", "64", "--metric", "energy_twh@2032",
        "--vary", "/regions/cn-hangzhou/pue=0.9:1.3",
        "--vary", "/regions/cn-hangzhou/construction_years=1.5:3.5",
        "--vary", "/hardware/h20/lifetime_years*=0.8", "--format", "csv"]
rc, out, err = run(*args, "--jobs", "2")
rows = list(csv.DictReader(io.StringIO(out)))
check(rc == 0 and len(rows) == 6, f"sobol with inputs to fit: {rc} {err[:400]}")
check("/regions/cn-hangzhou/pue: the spec reaches beyond what the format accepts (a value >= 1)" in err,
      f"the PUE clipping is said: {err}")
check("construction_years: an integer key, sampled as the integers 2 to 3" in err, f"lead time: {err}")
check("lifetime_years*: an integer key, sampled as the integers 4 to 4" in err, f"lifetime: {err}")
check("320 engine runs" in err, f"N (k + 2) runs said up front: {err}")
check_clean(err, "sensitivity")
rc2, out2, _ = run(*args, "--jobs", "1")
check(rc2 == 0 and out2 == out, "the same output with --jobs 1 and --jobs 2")

# Morris and tornado, every format.
for method, stats in [("morris", {"mu", "mu_star", "sigma"}), ("tornado", {"base", "low", "high", "swing"})]:
    rc, out, err = run("sensitivity", ALIBABA, "--method", method, "--metric", "energy_twh@2032",
                       "--vary", "/capex/budget*=0.8:1.2", "--vary", "/regions/cn-hangzhou/pue=1.1:1.3",
                       "--format", "json")
    doc = json.loads(out) if rc == 0 else {}
    check(rc == 0 and stats <= {r["statistic"] for r in doc.get("rows", [])}, f"{method}: {rc} {err[:300]}")
for fmt in ["table", "md", "svg"]:
    rc, out, err = run("sensitivity", ALIBABA, "--method", "tornado", "--metric", "energy_twh@2032",
                       "--vary", "/capex/budget*=0.8:1.2", "--format", fmt)
    check(rc == 0 and "/capex/budget" in out, f"--format {fmt}: {rc} {err[:200]}")
    if fmt == "svg":
        try:
            xml.dom.minidom.parseString(out)
            check(True, "svg")
        except Exception as e:  # noqa: BLE001
            check(False, f"--format svg is well-formed XML: {e}")

# Tornado's table and markdown: a row per input, largest swing first, its numbers the csv's
# (read to 4 significant digits); the csv and json keep the tidy rows (6 per input).
tornado = ["sensitivity", ALIBABA, "--method", "tornado", "--metric", "energy_twh@2032",
           "--vary", "/regions/cn-hangzhou/pue=1.1:1.3", "--vary", "/capex/budget*=0.8:1.2"]
rc, out, err = run(*tornado, "--format", "csv")
tidy = list(csv.DictReader(io.StringIO(out)))
check(rc == 0 and len(tidy) == 12, f"tornado csv: tidy, 6 rows per input: {rc} {len(tidy)}")
stat = {(r["input"], r["statistic"]): float(r["value"]) for r in tidy}
rc, out, err = run(*tornado, "--format", "table")
lines = out.splitlines()
check(rc == 0 and lines[0].split() == ["input", "low", "high", "swing", "base"] and len(lines) == 4,
      f"tornado table: input, low, high, swing, base; a row per input: {out}")
table_rows = [line.split() for line in lines[2:]]
check([r[0] for r in table_rows] == ["/capex/budget*", "/regions/cn-hangzhou/pue"],
      f"tornado table: the largest swing first (the budget, given second): {out}")
for r in table_rows:
    for col, name in zip(r[1:], ["low", "high", "swing", "base"]):
        check(col == f"{stat[(r[0], name)]:.4g}", f"tornado table: {r[0]} {name} is the csv's: {col}")
check(stat[("/capex/budget*", "swing")] == abs(stat[("/capex/budget*", "high")] - stat[("/capex/budget*", "low")]),
      "tornado: the swing is high minus low")
rc, out, err = run(*tornado, "--format", "md")
md = out.split("\n\n")[0].splitlines()
check(rc == 0 and md[0] == "| input | low | high | swing | base |" and md[1] == "| --- | ---: | ---: | ---: | ---: |"
      and len(md) == 4 and md[2].startswith("| `/capex/budget*` |"), f"tornado md: {out}")
# Two metrics: a row per input and metric, each metric's rows by their own swings.
rc, out, err = run(*tornado, "--metric", "peak_pflops@2030:cn-hangzhou")
lines = out.splitlines()
check(rc == 0 and lines[0].split() == ["input", "metric", "year", "region", "low", "high", "swing", "base"]
      and len(lines) == 6 and [l.split()[1:4] for l in lines[2:]] ==
      [["energy_twh", "2032", "total"]] * 2 + [["peak_pflops", "2030", "cn-hangzhou"]] * 2,
      f"tornado table, two metrics: {out}")
rc, out, err = run(*tornado, "--format", "json")
check(rc == 0 and len(json.loads(out)["rows"]) == 12 and "tornado" not in json.loads(out),
      f"tornado json: the tidy rows alone: {rc}")

# Bad input: exit 2 naming the problem, nothing on standard output.
bad = [
    (["--method", "anova"], "expected tornado, morris or sobol"),
    (["--metric", "energy_tw@2032"], "did you mean \"energy_twh\""),
    (["--metric", "energy_twh@2099"], "outside the horizon"),
    (["--vary", "/capex/budget*=normal(1,-1)"], "s > 0"),
    (["--vary", "/capex/budget*=ci90(2,1)"], "0 < lo < hi"),
    (["--vary", "/regions/nowhere/pue=1:2"], "nowhere"),
    (["--vary", "/regions/cn-hangzhou/pue=0.1:0.5"], "no value of the spec"),
    (["--samples", "1"], "N in 2"),
]
for extra, words in bad:
    a = ["sensitivity", ALIBABA, "--metric", "energy_twh@2032", "--vary", "/capex/budget*=0.8:1.2"]
    if extra[0] in ("--metric", "--vary"):
        a = ["sensitivity", ALIBABA] + (["--vary", "/capex/budget*=0.8:1.2"] if extra[0] == "--metric" else
                                         ["--metric", "energy_twh@2032"])
    rc, out, err = run(*a, *extra)
    check(rc == 2 and words in err and out == "", f"sensitivity {extra}: exit 2 naming {words!r}: {rc} {err}")
    check_clean(err, f"sensitivity {extra}")

# Morris over inputs without ends (normal, lognormal, ci90): their grid spans the 5th to 95th
# percentiles, so the run ends with effects, not with an infinite quantile (it exited 3). A
# factor's effect on energy is then about the energy times the p5-p95 width of the factor.
for spec in ["ci90(0.8,1.25)", "normal(1,0.1)", "lognormal(0,0.1)"]:
    rc, out, err = run("sensitivity", "scenarios/examples/minimal.json", "--method", "morris",
                       "--metric", "energy_twh@2030", "--vary", f"/capex/budget*={spec}", "--format", "json")
    check(rc == 0, f"morris over {spec}: runs: {rc} {err}")
    check_clean(err, f"morris over {spec}")
    if rc == 0:
        j = json.loads(out)
        rows = {r["statistic"]: r["value"] for r in j["rows"]}
        check(rows.get("mu_star", 0) > 0, f"morris over {spec}: an effect: {rows}")

finish()
