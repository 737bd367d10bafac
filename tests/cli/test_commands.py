"""The dcplan command line, run as a user would: exit codes, messages, files written."""
import csv
import glob
import io
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import DCPLAN, check, check_clean, finish, run, tempdir  # noqa: E402

MINIMAL = "scenarios/examples/minimal.json"
BASE = "tests/data/base.json"

# --version, help with examples, usage errors.
rc, out, err = run("--version")
check(rc == 0 and out.startswith("dcplan "), f"--version: {rc} {out!r}")
for sub in ["validate", "schema", "catalog", "run"]:
    rc, out, err = run(sub, "--help")
    check(rc == 0 and "Examples:" in out and f"dcplan {sub}" in out,
          f"{sub} --help shows an example: {out[-300:]}")
rc, out, err = run()
check(rc == 2, f"no subcommand: exit 2, got {rc}")
rc, out, err = run("run", MINIMAL, "--format", "xml")
check(rc == 2 and "xml" in err, f"bad --format: exit 2 naming it: {rc} {err}")
rc, out, err = run("frobnicate")
check(rc == 2, f"unknown subcommand: exit 2, got {rc}")

# validate: several files, one invalid; standard input; --set.
rc, out, err = run("validate", MINIMAL, "tests/invalid/pue_below_one.json")
check(rc == 2, f"validate with an invalid file: exit 2, got {rc}")
check(f"{MINIMAL}: ok" in out, f"validate names the valid file ok: {out}")
check("tests/invalid/pue_below_one.json: /regions/r1/pue:" in err, f"names the invalid: {err}")
rc, out, err = run("validate", "-", stdin=open(MINIMAL).read())
check(rc == 0, f"validate - reads standard input: {rc} {err}")
rc, out, err = run("validate", BASE, "--set", "/regions/r1/peu=1.1")
check(rc == 2 and "--set /regions/r1/peu=1.1: /regions/r1/peu:" in err and "did you mean \"pue\"" in err,
      f"--set into an undefined key: {err}")
check_clean(err, "--set error")
rc, out, err = run("validate", "--merged", "tests/data/with-include.json")
merged = json.loads(out)
check(rc == 0 and "b200" in merged["hardware"] and "r2" not in merged["regions"]
      and "include" not in merged and "extends" not in merged,
      f"--merged prints the merged document: {rc} {err}")
rc, out, err = run("validate", "no-such-file.json")
check(rc == 2 and "no-such-file.json" in err and "No such file" in err, f"missing file: {err}")
rc, out, err = run("validate", "tests")
check(rc == 2 and "directory" in err, f"a directory as scenario: {err}")

# schema.
d = tempdir()
rc, out, err = run("schema", "-o", os.path.join(d, "s.json"))
check(rc == 0 and json.load(open(os.path.join(d, "s.json")))["type"] == "object", "schema -o")
check(not [f for f in os.listdir(d) if ".tmp" in f], "no temporary file left behind")

# catalog.
rc, out, err = run("catalog", "hardware", "--include", "tests/data/catalog-a.json")
check(rc == 0 and "b200" in out and "h20" in out and "2250" in out, f"catalog hardware: {out} {err}")
rc, out, err = run("catalog", "regions", "--include", BASE)
check(rc == 0 and "r1" in out and "r2" in out and "#international" in out, f"catalog regions: {out} {err}")
rc, out, err = run("catalog", "gpus")
check(rc == 2, f"catalog of an unknown kind: exit 2, got {rc}")

# run: formats, determinism, options.
rc, csv1, err = run("run", MINIMAL, "--format", "csv")
check(rc == 0, f"run csv: {err}")
rc, csv2, err = run("run", MINIMAL, "--format", "csv")
check(csv1 == csv2, "the same scenario run twice gives byte-identical csv")
rows = list(csv.DictReader(io.StringIO(csv1)))
check(rows[0].keys() >= {"year", "region", "energy_twh", "capex_usd", "cost_per_eflop_year_usd"},
      f"csv header: {list(rows[0].keys())}")
check([r["region"] for r in rows[:2]] == ["us-east", "total"], "regions sorted, then total")
# The time in the provenance is SOURCE_DATE_EPOCH's when set: then the whole output repeats.
epoch = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
rc, j1, err = run("run", MINIMAL, "--format", "json", env=epoch)
rc, j2, err = run("run", MINIMAL, "--format", "json", env=epoch)
check(j1 == j2 and rc == 0, "byte-identical json")
check(json.loads(j1)["meta"]["time"] == "2023-11-14T22:13:20Z", f"SOURCE_DATE_EPOCH: {j1[:300]}")
data = json.loads(j1)["rows"]
check(len(data) == len(rows) and data[0]["region"] == "us-east", "json rows match csv rows")
check(abs(float(rows[0]["energy_twh"]) - data[0]["energy_twh"]) == 0, "csv and json agree exactly")
rc, out, err = run("run", MINIMAL, "--format", "jsonl", "--by", "total", "--years", "2027:2028",
                   "--metrics", "energy_twh,capex_usd")
lines = [json.loads(l) for l in out.splitlines()]
check(set(lines[0]) == {"meta"}, f"jsonl: its first line is the provenance: {lines[0]}")
lines = lines[1:]
check(rc == 0 and [l["year"] for l in lines] == [2027, 2028]
      and all(set(l) == {"year", "region", "energy_twh", "capex_usd"} for l in lines),
      f"jsonl --by total --years --metrics: {out} {err}")
rc, out, err = run("run", MINIMAL, "--metrics", "energy_twj")
check(rc == 2 and "did you mean \"energy_twh\"" in err, f"unknown metric suggests: {err}")
rc, out, err = run("run", MINIMAL, "--years", "2040:2050")
check(rc == 2 and "horizon" in err, f"--years outside the horizon: {err}")
rc, out, err = run("run", MINIMAL, "--format", "md", "--by", "total")
check(rc == 0 and out.startswith("| year | region |") and "| --- |" in out, f"md table: {out[:200]}")
rc, out, err = run("run", MINIMAL)
check(rc == 0 and "TWh" in out and "US$" in out, f"table with readable units: {out[:400]}")
rc, out, err = run("run", MINIMAL, "--format", "csv", "--by", "hardware")
hw_rows = list(csv.DictReader(io.StringIO(out)))
check(rc == 0 and "hardware" in hw_rows[0] and any(r["hardware"] == "h100" for r in hw_rows),
      f"--by hardware adds per-hardware rows: {out[:300]}")
rc, out, err = run("run", BASE, "--format", "csv", "--set", "/currency=CNY",
                   "--set", '/fx_per_usd={"CNY": 7}', "--currency", "CNY")
cny = list(csv.DictReader(io.StringIO(out)))
rc2, out2, err2 = run("run", BASE, "--format", "csv", "--set", "/currency=CNY",
                      "--set", '/fx_per_usd={"CNY": 7}')
usd = list(csv.DictReader(io.StringIO(out2)))
check(rc == 0 and "capex_cny" in cny[0] and "capex_usd" not in cny[0]
      and abs(float(cny[0]["capex_cny"]) - 7 * float(usd[0]["capex_usd"])) < 1e-3 * float(cny[0]["capex_cny"]),
      f"--currency converts and renames: {err}")
rc, out, err = run("run", MINIMAL, "--currency", "EUR")
check(rc == 2 and "EUR" in err, f"--currency without a rate: {err}")

# -o: atomic; a failed run leaves nothing behind and keeps an old file.
out_path = os.path.join(d, "r.csv")
rc, out, err = run("run", MINIMAL, "--format", "csv", "-o", out_path)
check(rc == 0 and out == "" and open(out_path).read() == csv1, "-o writes the file, nothing on stdout")
rc, out, err = run("run", "tests/invalid/pue_below_one.json", "--format", "csv", "-o", out_path)
check(rc == 2 and open(out_path).read() == csv1, "a failed run keeps the old file")
bad_path = os.path.join(d, "never.csv")
rc, out, err = run("run", "tests/invalid/pue_below_one.json", "-o", bad_path)
check(rc == 2 and not os.path.exists(bad_path), "a failed run leaves no file")
check(not [f for f in os.listdir(d) if ".tmp" in f or f.startswith(".dcplan-")],
      "no temporary files left")

# Targets: --check exits 1 when one fails, 0 when all pass; JUnit XML.
rc, out, err = run("run", MINIMAL, "--check")
check(rc == 0 and "PASS" in err, f"--check passes: {rc} {err}")
rc, out, err = run("run", MINIMAL, "--check", "--set", "/targets/0/at_least/times=100")
check(rc == 1 and "FAIL" in err, f"--check fails with exit 1: {rc} {err}")
junit = os.path.join(d, "junit.xml")
rc, out, err = run("run", MINIMAL, "--junit", junit, "--set", "/targets/0/at_least/times=100")
check(rc == 0 and "<failure" in open(junit).read(), "--junit writes failures")

# Every shipped scenario runs (catalogs excepted).
for path in sorted(p for p in glob.glob("scenarios/**/*.json", recursive=True)
                   if "/catalog/" not in p and "/gates/" not in p):
    rc, out, err = run("run", path, "--format", "csv")
    check(rc == 0, f"dcplan run {path} exits 0: {err[:500]}")
    check_clean(err, path)
    cells = [c for line in out.splitlines()[1:] for c in line.split(",")]
    check(not [c for c in cells if c.lower() in ("inf", "-inf", "nan", "-nan", "-0")],
          f"{path}: no inf, nan or -0 printed")

# Every example in every --help text runs, in order, from a directory holding a copy of the
# shipped scenarios (issue: the top-level example `dcplan validate scenarios/*.json` failed).
import shutil  # noqa: E402

work = tempdir()
shutil.copytree("scenarios", os.path.join(work, "scenarios"))
bindir = tempdir()
os.symlink(os.path.abspath(DCPLAN), os.path.join(bindir, "dcplan"))
env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
examples = []
for sub in ["", "validate", "schema", "metrics", "catalog", "run", "compare", "sweep", "merge",
            "report", "solve", "optimize", "sensitivity", "verify", "man", "completion"]:
    rc, out, err = run(*([sub] if sub else []), "--help")
    check(rc == 0, f"dcplan {sub} --help exits 0")
    lines = out.split("Examples:\n", 1)[1].splitlines() if "Examples:" in out else []
    check(lines, f"dcplan {sub} --help has examples")
    command = ""
    for line in lines:
        if not line.startswith("  "):
            break
        command += line.strip()
        if command.endswith("\\"):
            command = command[:-1] + " "
            continue
        examples.append((sub, command))
        command = ""
check(len(examples) >= 20, f"at least 20 examples, found {len(examples)}")
for sub, command in examples:
    p = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True,
                       timeout=120)
    check(p.returncode == 0, f"example of `dcplan {sub} --help` runs: {command}: exit "
          f"{p.returncode}: {p.stderr[:300]}")

# `dcplan metrics` lists every column; docs/results.md is its markdown, checked against it.
rc, out, err = run("metrics")
check(rc == 0 and "facility_power_mw" in out and "average facility power draw" in out,
      "dcplan metrics lists the columns with their meaning")
rc, out, err = run("run", MINIMAL, "--metrics", "help")
check(rc == 0 and "energy_twh" in out, "--metrics help lists the columns")
rc, out, err = run("metrics", "--markdown")
check(rc == 0 and out == open("docs/results.md").read(),
      "docs/results.md matches `dcplan metrics --markdown` (regenerate it with: "
      "build/dcplan metrics --markdown -o docs/results.md)")
check("docs/results.md" in open("README.md").read(), "the README links docs/results.md")

# The design lives in the repository: docs/model.md and docs/architecture.md, linked from the
# README, and nothing points outside the repository. The worked example is what the engine says.
readme = open("README.md").read()
check("docs/model.md" in readme and "docs/architecture.md" in readme,
      "the README links docs/model.md and docs/architecture.md")
for root in ["README.md", "docs", "include", "src"]:
    paths = [root] if os.path.isfile(root) else [os.path.join(dp, f) for dp, _, fs in os.walk(root) for f in fs]
    for path in paths:
        if path.endswith(".png"):
            continue
        check("../shared" not in open(path, errors="replace").read(), f"{path} points inside the repository")
model = open("docs/model.md").read()
rc, out, err = run("run", MINIMAL, "--format", "csv", "--by", "total", "--years", "2025")
row = list(csv.DictReader(io.StringIO(out)))[0]
check(f"{float(row['accelerators_installed']):,.1f}" in model and f"{float(row['it_load_mw']):.2f}" in model
      and f"{float(row['energy_twh']):.3f}" in model,
      f"docs/model.md's worked example matches the engine: {row['accelerators_installed']} "
      f"{row['it_load_mw']} {row['energy_twh']}")

# CTest splits a Catch2 test name at ';' (catch_discover_tests passes names as a CMake list), and
# a name that matches no test case "passes" with no test run: the test would be skipped without
# a word. So no name may contain one.
import re
for path in glob.glob("tests/unit/*.cpp") + glob.glob("tests/bench/*.cpp"):
    text = open(path).read()
    for m in re.finditer(r'TEST_CASE\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', text):
        name = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
        check(";" not in name, f"{path}: the test name {name!r} has a ';' (CTest would skip the test)")

finish()
