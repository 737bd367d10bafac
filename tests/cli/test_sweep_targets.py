"""sweep --targets and --ratio (issue 29): the probability of meeting each target over a sweep, with
its 90% Wilson interval, and the spread of a ratio of two years, from the command line: a case
counted by hand, the errors, shards and merge, stores, a hostile target name, report --sweep."""
import csv
import io
import json
import math
import os
import sqlite3
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from common import MINIMAL_PATH, check, check_clean, finish, run, tempdir  # noqa: E402

d = tempdir()
Z = 1.6448536269514722  # the normal quantile of 0.95: a two-sided 90% interval


def wilson(k, n, z=Z):
    """The Wilson score interval, written out: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def close(a, b, rel=1e-12):
    return abs(a - b) <= rel * max(1.0, abs(b))


def scenario(name, targets):
    doc = json.load(open(MINIMAL_PATH))
    doc["targets"] = targets
    path = os.path.join(d, name)
    json.dump(doc, open(path, "w"))
    return path


def energy_2030(path, budget):
    rc, out, err = run("run", path, "--set", f"/capex/budget={budget!r}", "--by", "total",
                       "--years", "2030", "--metrics", "energy_twh", "--format", "csv")
    check(rc == 0, f"run at budget {budget}: {rc} {err}")
    return float(out.splitlines()[1].split(",")[2])


def rows_of(text):
    """A rows csv: its header line, then a dict per row (the column line read by csv)."""
    lines = text.splitlines()
    return lines[0], list(csv.DictReader(io.StringIO("\n".join(lines[1:]) + "\n")))


# --- A case counted by hand. Ten budgets, US$1.0 bn to 5.5 bn by 0.5 bn; the target is 2030
# energy at least the energy of a budget of US$3.75 bn. Energy grows with the budget (more money
# buys more accelerators and the halls for them), so the six budgets below 3.75 bn miss it and
# the four above meet it: k = 4 of n = 10. The argument is checked on single runs around it.
plain = scenario("plain.json", [])
threshold = energy_2030(plain, 3.75e9)
below, above = energy_2030(plain, 3.5e9), energy_2030(plain, 4.0e9)
check(below < threshold < above, f"energy grows with the budget around 3.75 bn: {below} {threshold} {above}")
budgets = [1e9 + 0.5e9 * i for i in range(10)]
energies = [energy_2030(plain, b) for b in budgets]
check(all(a < b for a, b in zip(energies, energies[1:])), f"energy grows over the grid: {energies}")
NAME = "2030 energy, at least a 3.75 bn budget's"
hand = scenario("hand.json", [{"name": NAME, "metric": "energy_twh", "year": 2030, "at_least": threshold}])
GRID = ["--vary", "/capex/budget=1e9:5.5e9:0.5e9"]
rc, out, err = run("sweep", hand, *GRID, "--targets")
header, rows = rows_of(out)
column = "pass:" + NAME
check(rc == 0 and column in rows[0], f"the rows carry a pass column: {rc} {err} {out[:300]}")
names = next(csv.reader([out.splitlines()[1]]))
check(names[:3] == ["run", "/capex/budget", column] and names[3:5] == ["year", "region"],
      f"the pass column follows the parameters: {names}")
per_run = {}
for r in rows:
    per_run.setdefault(int(r["run"]), set()).add(r[column])
check(all(len(v) == 1 for v in per_run.values()), f"a run's rows agree on its pass: {per_run}")
passes = {run_: v.pop() for run_, v in per_run.items()}
check(passes == {i: ("1" if i >= 6 else "0") for i in range(10)},
      f"runs 6-9 (budgets 4.0-5.5 bn) meet the target, runs 0-5 do not: {passes}")

rc, out, err = run("sweep", hand, *GRID, "--targets", "--summary")
lines = out.splitlines()
check(rc == 0 and lines[0] == "year,region,metric,n,mean,p5,p50,p95,low,high",
      f"--summary --targets: two columns more, low and high: {rc} {err} {lines[:1]}")
summary = list(csv.DictReader(io.StringIO(out)))
pass_rows = [r for r in summary if r["metric"] == column]
low, high = wilson(4, 10)
check(len(pass_rows) == 1, f"one pass row: {pass_rows}")
if pass_rows:
    r = pass_rows[0]
    check(r["year"] == "" and r["region"] == "" and r["n"] == "10" and float(r["mean"]) == 0.4,
          f"pass rate 4/10, no year, no region: {r}")
    check(close(float(r["low"]), low) and close(float(r["high"]), high),
          f"the 90% Wilson interval of 4/10 is [{low}, {high}]: {r}")
    check(r["p5"] == r["p50"] == r["p95"] == "", f"a pass rate has no percentiles: {r}")
metric_rows = [r for r in summary if r["metric"] == "energy_twh"]
check(metric_rows and all(r["low"] == r["high"] == "" and r["year"] for r in metric_rows),
      f"metric rows keep their year and leave low and high empty: {metric_rows[:2]}")
rc, plain_summary, _ = run("sweep", hand, *GRID, "--summary")
check(plain_summary.splitlines()[0] == "year,region,metric,n,mean,p5,p50,p95" and "pass:" not in plain_summary,
      "without --targets the summary is as it was")

# jsonl: the pass as a boolean after the parameters; the summary's pass row with null year.
rc, out, err = run("sweep", hand, *GRID, "--targets", "--format", "jsonl")
objs = [json.loads(line) for line in out.splitlines()[1:]]
check(rc == 0 and [o[column] for o in objs if o["year"] == 2030] == [i >= 6 for i in range(10)],
      f"jsonl rows: true for runs 6-9: {rc} {err} {objs[:1]}")
rc, out, err = run("sweep", hand, *GRID, "--targets", "--summary", "--format", "jsonl")
objs = [json.loads(line) for line in out.splitlines()]
p = [o for o in objs if o["metric"] == column]
check(rc == 0 and p and p[0]["year"] is None and p[0]["region"] is None and p[0]["mean"] == 0.4
      and close(p[0]["low"], low) and close(p[0]["high"], high), f"jsonl pass row: {p}")

# --- --ratio: four budgets, each run's 2030/2025 energy ratio; with fewer than five values the
# summary's percentiles are exact (linear between order statistics; P-square starts estimating
# at five), so all are computed here.
GRID4 = ["--vary", "/capex/budget=1e9:4e9:1e9"]
rc, out, err = run("sweep", plain, *GRID4, "--metrics", "energy_twh")
_, rows = rows_of(out)
energy = {(int(r["run"]), int(r["year"])): float(r["energy_twh"]) for r in rows}
ratios = sorted(energy[(i, 2030)] / energy[(i, 2025)] for i in range(4))


def quantile(xs, q):
    at = q * (len(xs) - 1)
    lo = math.floor(at)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (at - lo) * (xs[hi] - xs[lo])


rc, out, err = run("sweep", plain, *GRID4, "--summary", "--ratio", "energy_twh@2030/2025",
                   "--ratio", "energy_twh@2030/2025")
summary = list(csv.DictReader(io.StringIO(out)))
r = [x for x in summary if x["metric"] == "ratio:energy_twh@2030/2025"]
check(rc == 0 and len(r) == 1, f"one ratio row (a repeated --ratio once): {rc} {err} {r}")
if r:
    r = r[0]
    check(r["year"] == "" and r["region"] == "total" and r["n"] == "4", f"ratio row keys: {r}")
    for key, want in [("mean", sum(ratios) / 4), ("p5", quantile(ratios, 0.05)),
                      ("p50", quantile(ratios, 0.5)), ("p95", quantile(ratios, 0.95))]:
        check(close(float(r[key]), want, 1e-9), f"ratio {key}: {r[key]} vs {want} by hand")
check(list(summary[0].keys())[-1] == "p95", "--ratio alone adds no interval columns")

# --- Errors: exit 2, nothing on standard output, the flag named, what was expected and found.
for args, words in [
    (["--summary", "--ratio", "energy_twh"], ["--ratio", "METRIC@YEAR/YEAR", '"energy_twh"']),
    (["--summary", "--ratio", "energy@2030/2025"], ["--ratio", "energy"]),
    (["--summary", "--ratio", "limit@2030/2025"], ["--ratio", "numeric", "limit"]),
    (["--summary", "--ratio", "energy_twh@2032/2025"], ["--ratio", "horizon 2025 to 2030", "2032"]),
    (["--summary", "--ratio", "energy_twh@2030/20x5"], ["--ratio", "whole years"]),
    (["--ratio", "energy_twh@2030/2025"], ["--ratio", "--summary"]),
    (["--targets"], ["--targets", "targets", "found none"]),
]:
    rc, out, err = run("sweep", plain, *GRID4, *args)
    check(rc == 2 and out == "" and all(w in err for w in words),
          f"sweep {args}: exit 2 naming {words}: {rc} {out[:100]} {err}")
    check_clean(err, f"sweep {args}")

# --- Shards and merge keep the pass columns: csv, jsonl and stores, equal to the whole sweep.
MC = ["--vary", "/capex/budget*=uniform(0.8,1.2)", "--samples", "12", "--targets"]
for fmt in ["csv", "jsonl"]:
    whole = os.path.join(d, f"whole.{fmt}")
    rc, _, err = run("sweep", MINIMAL_PATH, *MC, "--format", fmt, "-o", whole)
    shards = []
    for k in range(3):
        shards.append(os.path.join(d, f"shard.{k}.{fmt}"))
        rc, _, err = run("sweep", MINIMAL_PATH, *MC, "--format", fmt, "--shard", f"{k}/3", "-o", shards[k])
        check(rc == 0, f"shard {k}/3 {fmt}: {rc} {err}")
    merged = os.path.join(d, f"merged.{fmt}")
    rc, _, err = run("merge", *shards, "-o", merged)
    text = open(merged).read()
    check(rc == 0 and text == open(whole).read() and "pass:energy in 2030 at least 2x 2025" in text,
          f"{fmt}: the merged shards are the whole sweep, pass column included: {rc} {err}")
plain_shard = os.path.join(d, "plain.1.csv")
run("sweep", MINIMAL_PATH, *MC[:-1], "--shard", "1/3", "-o", plain_shard)
rc, _, err = run("merge", os.path.join(d, "shard.0.csv"), plain_shard, os.path.join(d, "shard.2.csv"),
                 "-o", os.path.join(d, "mixed.csv"))
check(rc == 2 and "different sweep" in err, f"a shard without --targets is another sweep: {rc} {err}")
stores = []
for k in range(2):
    stores.append(os.path.join(d, f"s.{k}.sqlite"))
    rc, _, err = run("sweep", MINIMAL_PATH, *MC, "--format", "sqlite", "--shard", f"{k}/2", "-o", stores[k])
    check(rc == 0, f"store shard {k}: {rc} {err}")
merged_store = os.path.join(d, "merged.sqlite")
rc, _, err = run("merge", *stores, "-o", merged_store)
check(rc == 0, f"stores merge: {rc} {err}")
db = sqlite3.connect(merged_store)
got = db.execute('SELECT run, "pass:energy in 2030 at least 2x 2025" FROM runs ORDER BY run').fetchall()
db.close()
whole_rows = rows_of(open(os.path.join(d, "whole.csv")).read())[1]
want = sorted({(int(r["run"]), int(r["pass:energy in 2030 at least 2x 2025"])) for r in whole_rows})
check(got == want, f"the merged store's runs hold the csv's passes: {got} vs {want}")
summary_store = os.path.join(d, "summary.sqlite")
rc, _, err = run("sweep", hand, *GRID, "--targets", "--summary", "--ratio", "energy_twh@2030/2025",
                 "--format", "sqlite", "-o", summary_store)
db = sqlite3.connect(summary_store)
got = db.execute("SELECT metric, region, n, mean, low, high FROM run_summary ORDER BY metric").fetchall()
years = db.execute("SELECT COUNT(*) FROM summary WHERE metric LIKE 'pass:%'").fetchone()[0]
db.close()
check(rc == 0 and len(got) == 2 and got[0][0] == column and got[0][1] is None and got[0][2] == 10
      and got[0][3] == 0.4 and close(got[0][4], low) and close(got[0][5], high)
      and got[1][0] == "ratio:energy_twh@2030/2025" and got[1][1] == "total" and years == 0,
      f"a store's pass rates and ratios in run_summary: {rc} {err} {got}")
rc, _, err = run("sweep", hand, *GRID, "--summary", "--format", "sqlite", "-o", summary_store)
db = sqlite3.connect(summary_store)
tables = {t for (t,) in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
db.close()
check("run_summary" not in tables, f"a store without them has no run_summary table: {tables}")

# --- Hostile target names: control characters, a newline, quotes, commas, markdown; a name
# twice (ASCII case aside, as SQLite's column names). Every output stays one csv line a row,
# with no control character, and the columns stay apart.
evil = '\x1b[2J\r\n::error::forged, "quoted" **PASS** <b>x</b> | `x` \u202e'
hostile = scenario("hostile.json", [
    {"name": evil, "metric": "energy_twh", "year": 2030, "at_least": threshold},
    {"name": "Same", "metric": "energy_twh", "year": 2030, "at_most": threshold},
    {"name": "same", "metric": "energy_twh", "year": 2030, "at_most": threshold},
])
rc, out, err = run("sweep", hostile, *GRID, "--targets")
bad = [c for c in out if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]
check(rc == 0 and not bad, f"hostile names: no control character in the csv: {rc} {err} {bad[:4]}")
check(not any(line.startswith("::error::") for line in out.splitlines()), "no forged line")
names = next(csv.reader([out.splitlines()[1]]))
check(names[5:7] == ["year", "region"] and names[2].startswith("pass:\\x1b[2J\\r\\n::error::forged, \"quoted\"")
      and names[3] == "pass:Same" and names[4] == "pass:same (2)",
      f"hostile names: escaped, quoted, each its own column: {names}")
_, rows = rows_of(out)
check(all(len(r) == len(names) for r in rows) and [rows[i * 6 + 5][names[2]] for i in range(10)]
      == ["1" if i >= 6 else "0" for i in range(10)], "hostile names: the rows line up")
rc, out, err = run("sweep", hostile, *GRID, "--targets", "--summary")
summary = list(csv.DictReader(io.StringIO(out)))
check(rc == 0 and [r["metric"] for r in summary[-3:]] == names[2:5], f"summary names the same columns: {out[-400:]}")
rc, out, err = run("sweep", hostile, *GRID, "--targets", "--format", "jsonl")
check(rc == 0 and all(json.loads(line) for line in out.splitlines()), "hostile names: jsonl parses")
store = os.path.join(d, "hostile.sqlite")
rc, _, err = run("sweep", hostile, *GRID, "--targets", "--format", "sqlite", "-o", store)
db = sqlite3.connect(store)
cols = [c[1] for c in db.execute("PRAGMA table_info(runs)")]
db.close()
check(rc == 0 and cols[-3:] == names[2:5], f"hostile names: the store's columns: {rc} {err} {cols}")

# --- report --sweep shows the pass rates, from a summary or from rows, with the file's record
# (FILE.meta.json) checked as before.
page = os.path.join(d, "page.html")
for label, extra in [("summary", ["--summary"]), ("rows", [])]:
    made = os.path.join(d, f"report-{label}.csv")
    rc, _, err = run("sweep", hand, *GRID, "--targets", *extra, "-o", made)
    check(rc == 0 and os.path.exists(made + ".meta.json"), f"{label}: written with its record: {rc} {err}")
    rc, _, err = run("report", hand, "--sweep", made, "-o", page)
    html = open(page).read() if rc == 0 else ""
    check(rc == 0 and "probability of meeting each target" in html and "40.0%" in html
          and f"{100 * low:.1f}% to {100 * high:.1f}%" in html and "2030 energy, at least" in html,
          f"report --sweep ({label}): the pass rate 40.0% and its interval: {rc} {err}")
    check("no scenario hash" not in err, f"{label}: the record is found: {err}")
    rc, _, err = run("report", MINIMAL_PATH, "--sweep", made, "-o", page + ".x")
    check(rc == 2 and "another scenario" in err, f"{label}: another scenario is refused: {rc} {err}")
hostile_summary = os.path.join(d, "hostile-summary.csv")
run("sweep", hostile, *GRID, "--targets", "--summary", "-o", hostile_summary)
rc, _, err = run("report", hostile, "--sweep", hostile_summary, "-o", page)
check(rc == 0, f"report of a hostile summary: {rc} {err}")
if rc == 0:
    ET.parse(page)  # well-formed whatever the names hold
    html = open(page).read()
    check("<b>x</b>" not in html and "\x1b" not in html and "pass:" not in html.split("<h2>Sweep")[1][:2000],
          "hostile names are escaped in the report")
# --- What a sweep writes does not change the runs it makes: the draws are seeded by the scenario,
# --vary, --samples and --seed alone. The same 40 draws with other metrics, with --targets, and
# by region; and the summary's mean is the mean of the rows' values.
def draws(*extra):
    rc, out, err = run("sweep", hand, "--vary", "/capex/budget*=uniform(0.8,1.2)", "--samples", "40",
                       "--format", "csv", *extra)
    check(rc == 0, f"sweep {extra}: {rc} {err}")
    _, rows = rows_of(out)
    return {r["run"]: r["/capex/budget*"] for r in rows}, rows


plain_draws, plain_rows = draws("--metrics", "energy_twh")
check(len(plain_draws) == 40, f"40 runs: {len(plain_draws)}")
for extra in (("--metrics", "capex_usd"), ("--targets",), ("--by", "region"),
              ("--metrics", "energy_twh,capex_usd", "--targets")):
    check(draws(*extra)[0] == plain_draws, f"the same draws with {extra}")
rc, out, err = run("sweep", hand, "--vary", "/capex/budget*=uniform(0.8,1.2)", "--samples", "40",
                   "--metrics", "energy_twh", "--summary", "--format", "csv")
check(rc == 0, f"summary: {rc} {err}")
summary = list(csv.DictReader(io.StringIO(out)))  # a summary has no header line
for year in ("2026", "2030"):
    values = [float(r["energy_twh"]) for r in plain_rows if r["year"] == year]
    cell = [r for r in summary if r["year"] == year and r["metric"] == "energy_twh"][0]
    check(len(values) == 40 and close(float(cell["mean"]), sum(values) / 40, 1e-12),
          f"{year}: the summary's mean is the rows' mean: {cell['mean']} {sum(values) / 40}")

finish()
