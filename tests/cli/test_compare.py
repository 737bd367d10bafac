"""dcplan compare and tools/ci-compare, run as a CI job would."""
import csv
import io
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import DCPLAN, check, check_clean, finish, run, tempdir  # noqa: E402

ALIBABA = "tests/data/v2/alibaba-380b.json"  # version 2 (the pinned figures)
MINIMAL = "scenarios/examples/minimal.json"

# compare X X: every difference is zero.
rc, out, err = run("compare", ALIBABA, ALIBABA, "--format", "csv", "--by", "region")
rows = list(csv.DictReader(io.StringIO(out)))
check(rc == 0 and len(rows) > 100, f"compare X X runs: {rc} {err[:200]}")
check(all(r["diff"] in ("0", "") for r in rows), "compare X X: every diff is zero")
check(all(r["rel_diff"] in ("0", "") for r in rows), "compare X X: every rel_diff is zero or empty")
rc, out, err = run("compare", ALIBABA, ALIBABA, "--format", "md")
check(rc == 0 and "no differences" in out, f"md verdict says no differences: {out[:200]}")

# A copy with a 20% larger 2026 budget (includes made absolute so it runs from anywhere).
d = tempdir()
doc = json.load(open(ALIBABA))
doc["capex"]["budget"]["series"]["2026"] *= 1.2
# Beside the original, so that its includes stay inside the scenario's directory.
bigger = os.path.join(os.path.dirname(ALIBABA), f".test-bigger-2026.{os.getpid()}.json")
json.dump(doc, open(bigger, "w"), indent=1)
import atexit  # noqa: E402
atexit.register(lambda: os.path.exists(bigger) and os.remove(bigger))
# The model gives +0.199% for 2032: the 2026 IT money finds no power that year (the plan is short
# of capacity), so the extra 20% builds facilities (2 years of construction): energy is the same
# in 2026 and 2027 and grows from 2028 on. So the failing gate is at +0.1%, not +1%.
rc, out, err = run("compare", ALIBABA, bigger, "--gate", "energy_twh@2032<=+0.1%")
check(rc == 1, f"+0.1% gate on 2032 energy fails with exit 1: {rc} {err[:300]}")
check("FAIL" in out and "energy_twh@2032<=+0.1%" in out and "+0.199%" in out,
      f"the report lists the gate with its numbers: {out[-500:]}")
rc, out, err = run("compare", ALIBABA, bigger, "--gate", "energy_twh@2027<=+0%")
check(rc == 0, f"0% gate on 2027 energy (the new capacity is not online yet) passes: {rc}")
rc, out, err = run("compare", ALIBABA, bigger, "--gate", "energy_twh@2028<=+0.05%")
check(rc == 1, f"+0.05% gate on 2028 energy (the new capacity is online) fails: {rc}")
rc, out, err = run("compare", ALIBABA, bigger, "--gate", "energy_twh@2032<=+50%", "--format", "md")
check(rc == 0, f"+50% gate passes with exit 0: {rc} {err[:300]}")
check(out.startswith("**dcplan compare**") and "PASS: all 1 gate(s) passed" in out,
      f"md verdict line: {out[:300]}")
check("| year | region | metric | base | other | diff | rel_diff | changed |" in out
      and "| --- |" in out, "md table header")
check("| `energy_twh@2032<=+50%` | pass |" in out, "md gate table")
rc, out, err = run("compare", ALIBABA, bigger, "--format", "json", "--gate", "capex_usd@2026>=0%")
doc = json.loads(out)
capex26 = [r for r in doc["rows"] if r["metric"] == "capex_usd" and r["year"] == 2026][0]
check(abs(capex26["rel_diff"] - 0.2) < 1e-9, f"json: 2026 capex +20%: {capex26}")
check(doc["gates"][0]["passed"] is True and "verdict" in doc, "json gates and verdict")

# Gates from a file; relative to BASE and absolute; --set and --set-base.
gates = os.path.join(d, "gates.json")
json.dump(["energy_twh@2030<=+100%", {"gate": "capex_usd@2025:2027<=1e12", "name": "plan"}],
          open(gates, "w"))
rc, out, err = run("compare", MINIMAL, MINIMAL, "--set", "/capex/budget=3e9", "--gates", gates)
check(rc == 0, f"--gates file: {rc} {err}")
rc, out, err = run("compare", MINIMAL, MINIMAL, "--set-base", "/capex/budget=3e9",
                   "--gate", "capex_usd@2026<0%", "--format", "csv")
check(rc == 0 and "PASS capex_usd@2026<0%" in err, f"--set-base changes BASE: {rc} {err}")

# The shipped gates file parses and passes on the unchanged plan.
rc, out, err = run("compare", ALIBABA, ALIBABA, "--gates", "tests/data/v2/gates/alibaba-380b.json")
check(rc == 0 and "PASS: all 3 gate(s) passed" in out, f"shipped gates file: {rc} {err}")

# At least 10 malformed gates: exit 2 and a message naming the gate and the problem.
malformed = {
    "energy_twh@2032": "no operator",
    "energy_twh@2032<=": "no value",
    "energy_twh@2032=>5": "unknown operator",
    "energy_twh@2032<=lots": "not a number",
    "energy_twj@2032<=5": "unknown metric",
    "energy_twh@year<=5": "is not a year",
    "energy_twh@2032:2030<=5": "ends before it starts",
    "energy_twh@2032:2033:x:y<=5": "too many",
    "energy_twh@2032:<=5": "empty selector",
    "<=5%": "no metric",
    "energy_twh@2040<=5%": "outside",
    "energy_twh@2030:nowhere<=5%": "unknown region",
}
for gate, words in malformed.items():
    rc, out, err = run("compare", MINIMAL, MINIMAL, "--gate", gate)
    check(rc == 2 and gate in err and words in err, f"malformed gate {gate!r}: exit 2 naming {words!r}: {rc} {err}")
    check_clean(err, gate)
bad_file = os.path.join(d, "bad-gates.json")
json.dump(["energy_twh<=5", 7], open(bad_file, "w"))
rc, out, err = run("compare", MINIMAL, MINIMAL, "--gates", bad_file)
check(rc == 2 and "bad-gates.json: /1:" in err, f"gates file error names file and pointer: {err}")

# Different regions and horizons: missing rows shown, not a failure.
other = os.path.join(d, "other.json")
m = json.load(open(MINIMAL))
m["horizon"]["end"] = 2032
m["regions"]["eu-west"] = dict(m["regions"]["us-east"], initial=None)
json.dump(m, open(other, "w"))
rc, out, err = run("compare", MINIMAL, other, "--by", "region", "--format", "csv", "--metrics", "energy_twh")
rows = list(csv.DictReader(io.StringIO(out)))
check(rc == 0, f"different regions and horizons compare: {err}")
check(any(r["year"] == "2032" and r["base"] == "" for r in rows), "rows missing in BASE shown")
check(any(r["region"] == "eu-west" and r["base"] == "" for r in rows), "a region missing in BASE shown")

# tools/ci-compare on a temporary git repository with two commits of a scenario.
repo = tempdir()
git = ["git", "-C", repo, "-c", "user.name=ci", "-c", "user.email=ci@example.invalid"]
subprocess.run(["git", "init", "-q", repo], check=True)
os.makedirs(os.path.join(repo, "plans"))
shutil.copy(MINIMAL, os.path.join(repo, "plans", "plan.json"))
subprocess.run(git + ["add", "-A"], check=True)
subprocess.run(git + ["commit", "-qm", "plan"], check=True)
plan = json.load(open(os.path.join(repo, "plans", "plan.json")))
plan["capex"]["budget"] = 4.0e9
json.dump(plan, open(os.path.join(repo, "plans", "plan.json"), "w"), indent=1)
subprocess.run(git + ["commit", "-qam", "double the budget"], check=True)
env = dict(os.environ, DCPLAN=DCPLAN)
tool = os.path.abspath("tools/ci-compare")
p = subprocess.run([tool, "HEAD~1", "HEAD", os.path.join(repo, "plans", "plan.json"),
                    "--gate", "capex_usd@2027<=+50%", "--format", "md"],
                   capture_output=True, text=True, env=env, cwd=repo)
check(p.returncode == 1 and "FAIL: 1 of 1 gate(s) failed" in p.stdout,
      f"ci-compare: doubled budget fails a +50% capex gate: {p.returncode} {p.stdout[:300]} {p.stderr}")
p = subprocess.run([tool, "HEAD~1", "HEAD", "plans/plan.json", "--gate", "capex_usd@2027<=+100%"],
                   capture_output=True, text=True, env=env, cwd=repo)
check(p.returncode == 0, f"ci-compare from the repository root, +100% passes: {p.returncode} {p.stderr}")
check(not [f for f in os.listdir(os.path.join(repo, "plans")) if f.startswith(".ci-compare")],
      "ci-compare leaves no temporary files")
p = subprocess.run([tool, "HEAD~1", "HEAD", "plans/none.json"], capture_output=True, text=True,
                   env=env, cwd=repo)
check(p.returncode == 2 and "does not exist" in p.stderr, f"ci-compare on a missing file: {p.stderr}")

# A pull request that changes only an included catalog: the base must resolve its include
# against the base's catalog (issue 12, item 8: it used to read the pull request's).
repo2 = tempdir()
git2 = ["git", "-C", repo2, "-c", "user.name=ci", "-c", "user.email=ci@example.invalid"]
subprocess.run(["git", "init", "-q", repo2], check=True)
os.makedirs(os.path.join(repo2, "plans"))
plan = json.load(open(MINIMAL))
hardware = {"hardware": plan.pop("hardware")}
plan["include"] = ["hw.json"]
json.dump(plan, open(os.path.join(repo2, "plans", "plan.json"), "w"), indent=1)
json.dump(hardware, open(os.path.join(repo2, "plans", "hw.json"), "w"), indent=1)
subprocess.run(git2 + ["add", "-A"], check=True)
subprocess.run(git2 + ["commit", "-qm", "plan"], check=True)
hardware["hardware"]["h100"]["price_usd"] = 15000  # twice the accelerators for the money
json.dump(hardware, open(os.path.join(repo2, "plans", "hw.json"), "w"), indent=1)
subprocess.run(git2 + ["commit", "-qam", "cheaper accelerators, in the catalog only"], check=True)
p = subprocess.run([tool, "HEAD~1", "HEAD", "plans/plan.json", "--gate", "peak_pflops@2030<=+1%"],
                   capture_output=True, text=True, env=env, cwd=repo2)
check(p.returncode == 1, f"ci-compare sees a change made only in an included catalog: "
      f"{p.returncode} {p.stdout[-300:]} {p.stderr[-300:]}")

finish()
