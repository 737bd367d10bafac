"""dcplan sweep and merge from the shell: shards through GNU parallel, threads, invalid specs."""
import csv
import io
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import DCPLAN, check, check_clean, finish, run, tempdir  # noqa: E402

MINIMAL = "scenarios/examples/minimal.json"
SWEEP = ["sweep", MINIMAL, "--vary", "/regions/us-east/pue=1.1:1.3:0.1",
         "--vary", "/capex/budget*=uniform(0.8,1.2)", "--vary", "/hardware/h100/price_usd=normal(30000,2000)",
         "--samples", "25", "--seed", "11", "--by", "region"]

d = tempdir()
rc, whole, err = run(*SWEEP, "--jobs", "1")
check(rc == 0, f"sweep runs: {err[:300]}")
check(whole.startswith("# dcplan-sweep v1 hash="), "header line with the sweep's hash")
lines = whole.splitlines()
check(lines[1] == "run,/regions/us-east/pue,/capex/budget*,/hardware/h100/price_usd,year,region,"
      "energy_twh,facility_power_mw,peak_pflops,capex_usd,tco_usd,cost_per_eflop_year_usd,operational_tco2",
      f"column line: {lines[1]}")
check(len(lines) == 2 + 3 * 25 * 6 * 2, f"3 grid points x 25 samples x 6 years x 2 rows: {len(lines)}")
rc, two, err = run(*SWEEP, "--jobs", "2")
check(two == whole, "--jobs 1 and --jobs 2 give byte-identical output")

# Four shards through GNU parallel, merged: byte-identical to the unsharded sweep.
cmd = [
    "parallel", "--will-cite", "--quote", "-j", "2",
    DCPLAN, *SWEEP, "--jobs", "1", "--shard", "{}/4", "-o", os.path.join(d, "shard.{}.csv"),
    ":::", "0", "1", "2", "3",
]
p = subprocess.run(cmd, capture_output=True, text=True)
check(p.returncode == 0, f"parallel ran the shards: {p.stderr[:300]}")
shards = [os.path.join(d, f"shard.{k}.csv") for k in range(4)]
merged = os.path.join(d, "merged.csv")
rc, out, err = run("merge", *reversed(shards), "-o", merged)
check(rc == 0, f"merge: {err}")
check(open(merged).read() == whole, "merged shards are byte-identical to the unsharded sweep")

# merge refuses shards of different sweeps, missing and repeated shards.
rc, other, err = run(*SWEEP[:-2], "--by", "total", "--shard", "1/4")
other_file = os.path.join(d, "other.1.csv")
open(other_file, "w").write(other)
rc, out, err = run("merge", shards[0], other_file, shards[2], shards[3])
check(rc == 2 and "different sweep" in err, f"merge refuses another sweep's shard: {err}")
rc, out, err = run("merge", *shards[:3])
check(rc == 2 and "shard 3/4 is missing" in err, f"merge refuses a missing shard: {err}")
rc, out, err = run("merge", shards[0], shards[0], shards[1], shards[2], shards[3])
check(rc == 2 and "given twice" in err, f"merge refuses a repeated shard: {err}")
rc, out, err = run("merge", MINIMAL)
check(rc == 2 and "not a dcplan sweep output" in err, f"merge refuses other files: {err}")

# Summary: tidy n, mean, p5, p50, p95 per metric and year.
rc, out, err = run("sweep", MINIMAL, "--vary", "/capex/budget*=uniform(0.5,1.5)", "--samples", "2000",
                   "--summary", "--metrics", "capex_usd,energy_twh")
rows = list(csv.DictReader(io.StringIO(out)))
check(rc == 0 and list(rows[0].keys()) == ["year", "region", "metric", "n", "mean", "p5", "p50", "p95"],
      f"summary columns: {out[:200]}")
cap = [r for r in rows if r["metric"] == "capex_usd" and r["year"] == "2025"][0]
check(cap["n"] == "2000", "n counts the runs")
# capex = 2e9 x U(0.5,1.5): mean 2e9, p5 1.1e9, p50 2e9, p95 2.9e9.
check(abs(float(cap["mean"]) / 2e9 - 1) < 0.02, f"summary mean: {cap}")
check(abs(float(cap["p5"]) / 1.1e9 - 1) < 0.05 and abs(float(cap["p95"]) / 2.9e9 - 1) < 0.03,
      f"summary percentiles: {cap}")
check(abs(float(cap["p50"]) / 2e9 - 1) < 0.03, f"summary median: {cap}")

# jsonl output carries the same header as a first object.
rc, out, err = run("sweep", MINIMAL, "--vary", "/operations/utilisation=0.5,0.7", "--format", "jsonl")
check(rc == 0 and out.startswith('{"dcplan_sweep":') and '"params":{"/operations/utilisation":0.5}' in out,
      f"jsonl: {out[:300]}")

# A series point and a multiplied series.
rc, out, err = run("sweep", "scenarios/alibaba-380b.json", "--vary", "/capex/budget/series/2026=1e11,2e11",
                   "--metrics", "capex_usd", "--jobs", "1")
rows = [r for r in csv.DictReader(io.StringIO("\n".join(out.splitlines()[1:])))]
y2026 = [r for r in rows if r["year"] == "2026"]
check(rc == 0 and len(y2026) == 2 and float(y2026[1]["capex_usd"]) > float(y2026[0]["capex_usd"]),
      f"series point varied: {err[:300]}")

# Invalid specs: exit 2 and the problem named; no output file.
bad = {
    ("--vary", "/capex/budget=normal(1)"): "normal(m,s) takes 2 numbers, found 1",
    ("--vary", "/capex/budget=1:0:0.1"): "needs a <= b",
    ("--vary", "/regions/us-east/name=1,2"): "not a numeric key",
    ("--vary", "/regions/nowhere/pue=1.2"): "no region",
    ("--vary", "/capex/budjet=1"): "no such key",
    ("--vary", "/capex/budget=1", "--shard", "3/2"): "0 <= K < N",
    ("--vary", "/capex/budget=1", "--shard", "x"): "K/N",
    ("--vary", "/regions/us-east/pue=uniform(0.9,1.2)"): "must be",
    ("--vary", "/regions/us-east/pue=normal(1.05,0.5)", "--samples", "200"): "outside its bounds",
    ("--vary", "/capex/split/it=0.5,0.8"): "sums to",
    ("--set", '/capex/budget={"exponential":{"base":1e9,"base_year":2025,"rate":0.1}}',
     "--vary", "/capex/budget/series/2026=1"): "write it as a series first",
}
for args, words in bad.items():
    out_file = os.path.join(d, "never.csv")
    rc, out, err = run("sweep", MINIMAL, *args, "-o", out_file)
    check(rc == 2 and words in err, f"invalid sweep {args}: exit 2 naming {words!r}: {rc} {err[:300]}")
    check(not os.path.exists(out_file), f"{args}: no output file left")
    check_clean(err, str(args))

# No progress bar when standard error is not a terminal.
rc, out, err = run("sweep", MINIMAL, "--vary", "/capex/budget*=uniform(0.8,1.2)", "--samples", "50")
check(rc == 0 and "runs/s" not in err, f"no progress bar without a terminal: {err!r}")
# Every numeric key of the format can be varied (the scenario reference lists them): on a
# shipped scenario, each moves the results or leaves them unchanged, and is never "cannot vary".
# Keys the scenario does not set are set; keys it sets are multiplied (integers stepped by one).
# The horizon, the format version and targets are structure, not parameters: refused by name.
rc, merged_text, err = run("validate", "--merged", "scenarios/alibaba-380b.json")
merged = json.loads(merged_text)
rc, reference, err = run("schema", "--markdown")
rows_ref = [line.split("|")[1:6] for line in reference.splitlines() if line.startswith("| `/")]
numeric = [(k.strip().strip("`"), t.strip()) for k, t, *_ in rows_ref
           if t.strip() in ("number", "integer", "trajectory")]
bounds = {k.strip().strip("`"): b.strip() for k, _, _, _, b in rows_ref}


def valid_pair(pattern):
    """Two values within a key's bounds ("[0, 1]", ">= 1", "> 0"), for keys the scenario lacks."""
    b = bounds.get(pattern, "")
    if b.startswith("[") or b.startswith("("):
        lo, hi = (float(x.strip(" [()]")) for x in b.split(","))
        return lo + 0.3 * (hi - lo), lo + 0.4 * (hi - lo)
    if b.startswith(">="):
        return float(b[2:]) + 0.1, float(b[2:]) + 0.2
    return 0.5, 0.6
check(len(numeric) >= 40, f"the reference lists the numeric keys: {len(numeric)}")


def instantiate(pattern, doc):
    """A concrete pointer for a key pattern: each {...} part becomes the first key the
    scenario has there (or a plausible one when it has none)."""
    parts, node = [], doc
    for token in pattern.strip("/").split("/"):
        if token.startswith("{"):
            keys = sorted(node.keys()) if isinstance(node, dict) and node else []
            token = keys[0] if keys else {"{id}": "h20", "{year}": "2022", "{currency}": "CNY",
                                          "{selector}": "*", "{i}": "0"}[token]
        parts.append(token)
        node = node.get(token, {}) if isinstance(node, dict) else {}
    return "/" + "/".join(parts), node


moved, unchanged, refused = [], [], []
for pattern, kind in numeric:
    pointer, value = instantiate(pattern, merged)
    structure = pattern.startswith(("/horizon", "/dcplan", "/targets"))
    if isinstance(value, (int, float)) and kind == "integer":
        spec = f"{pointer}={value},{value + 1}"
    elif value not in ({}, None):
        spec = f"{pointer}*=1,1.1"
    else:
        lo, hi = valid_pair(pattern)
        spec = f"{pointer}={lo:g},{hi:g}" if kind != "integer" else f"{pointer}={round(lo)},{round(lo) + 1}"
    rc, out, err = run("sweep", "scenarios/alibaba-380b.json", "--vary", spec, "--by", "region",
                       "--metrics", "capex_usd,energy_twh,tco_usd,peak_pflops,operational_tco2,"
                       "embodied_tco2,discounted_cost_usd")
    if structure:
        check(rc == 2 and "cannot vary" in err, f"{pattern}: refused as structure: {err[:200]}")
        continue
    check(f"cannot vary {pointer}" not in err, f"{pattern}: can be varied ({spec}): {err[:300]}")
    check_clean(err, pattern)
    if rc != 0:
        # A value the loader refuses (a mix share alone, a demand price without demand).
        check(rc == 2 and "error:" in err, f"{pattern}: exit 0 or a validation error: {rc}")
        refused.append(pattern)
        continue
    rows = [line.split(",") for line in out.splitlines()[2:]]
    first = [r[2:] for r in rows if r[0] == "0"]
    second = [r[2:] for r in rows if r[0] == "1"]
    (moved if first != second else unchanged).append(pattern)
print(f"numeric keys: {len(moved)} move the results, {len(unchanged)} leave them unchanged "
      f"({', '.join(unchanged)}), {len(refused)} refused by validation ({', '.join(refused)})")
check(len(moved) >= 25, f"most numeric keys move the results: {len(moved)}")
for informative in ["/hardware/{id}/hbm_gb", "/hardware/{id}/tdp_w"]:
    check(informative in unchanged, f"{informative} is informative and changes nothing")

# A value set through the document where the scenario holds a number, not an object, is refused
# before any run (never an internal error).
for spec in ["/hardware/h100/price_usd/exponential/base=1,2"]:
    rc, out, err = run("sweep", MINIMAL, "--vary", spec)
    check(rc == 2 and "cannot vary" in err and out == "", f"{spec}: refused with exit 2: {rc} {err[:200]}")
# A series point where the scenario writes a constant: the constant becomes a series from the first
# year of the horizon to the point (issue 29), as --set of that series gives.
rc, out, err = run("sweep", MINIMAL, "--vary", "/capex/budget/series/2028=4e9", "--metrics", "capex_usd")
rc2, out2, err2 = run("run", MINIMAL, "--set", '/capex/budget={"series":{"2025":2e9,"2028":4e9}}',
                      "--metrics", "capex_usd", "--format", "csv")
check(rc == 0 and rc2 == 0 and [r.split(",", 2)[2] for r in out.splitlines()[2:]]
      == [r for r in out2.splitlines()[1:] if ",total," in r], f"a point added to a constant: {rc} {err} {err2}")

# ci90(lo,hi): a lognormal with those 5th and 95th percentiles.
rc, out, err = run("sweep", "scenarios/examples/minimal.json", "--vary", "/capex/budget*=ci90(0.5,2)",
                   "--samples", "4000", "--summary", "--metrics", "capex_usd")
row = [r for r in out.splitlines() if r.startswith("2025,total,capex_usd,")]
if rc == 0 and row:
    f = row[0].split(",")
    p5, p50, p95 = float(f[5]), float(f[6]), float(f[7])
    check(abs(p5 / 1e9 - 1) < 0.06 and abs(p50 / 2e9 - 1) < 0.06 and abs(p95 / 4e9 - 1) < 0.06,
          f"ci90(0.5,2) on a US$2 bn budget: p5 ~1 bn, p50 ~2 bn, p95 ~4 bn: {f}")
else:
    check(False, f"sweep with ci90: {rc} {err}")
finish()
