"""solve and optimize from the command line: the Alibaba 10x question, the campus out of reach,
the answers written as scenarios that pass, bad input refused, answers that do not depend on the
run or the thread count."""
import json
import os
import shlex
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import MINIMAL_PATH, check, check_clean, finish, run, tempdir  # noqa: E402

ALIBABA = "tests/data/v2/alibaba-380b.json"  # version 2 (the pinned figures)
CAMPUS = "scenarios/examples/campus-5gw.json"
d = tempdir()

# The Alibaba 10x target: the budget growth after 2027 that meets it, and a scenario that runs.
solved = os.path.join("tests", "data", "v2", f".test-solved.{os.getpid()}.json")
import atexit  # noqa: E402
atexit.register(lambda: os.path.exists(solved) and os.remove(solved))
rc, out, err = run("solve", ALIBABA, "--targets", "--vary", "/capex/budget/then_growth=0:1", "-o", solved)
check(rc == 0 and "smallest /capex/budget/then_growth = 0.96" in out and "engine runs" in out
      and "--set /capex/budget/then_growth=0.96" in out, f"alibaba 10x: the growth it takes: {rc} {out} {err}")
check("holds  energy in 2032 at least 10x 2022" in out, f"the target with its margin: {out}")
doc = json.load(open(solved))
check(doc["extends"] == "alibaba-380b.json" and 0.96 < doc["capex"]["budget"]["then_growth"] < 0.97,
      f"the written scenario extends the original with the answer: {doc}")
rc, out, err = run("run", solved, "--check", "-o", os.devnull)
check(rc == 0 and "PASS    energy in 2032 at least 10x 2022" in err, f"the written scenario passes --check: {rc} {err}")
rc, out, err = run("solve", ALIBABA, "--targets", "--vary", "/capex/budget/then_growth=0:1", "--format", "json")
j = json.loads(out)
check(rc == 0 and j["feasible"] and j["monotone"] and j["runs"] < 100 and 0.96 < j["value"] < 0.97,
      f"json: {j}")

# 5 GW by 2030 is out of reach of any budget: exit 1, the grid cap named with its figures.
rc, out, err = run("solve", CAMPUS, "--target", "facility_capacity_mw@2030>=5000", "--vary", "/capex/budget*=0.1:2")
check(rc == 1 and "infeasible" in out and "bound by grid (us-campus)" in out
      and "max_new_mw_per_year 1000 MW a year with 2-year construction" in out,
      f"infeasible: exit 1 naming the grid cap: {rc} {out}")
check("4800" in out, f"the best reached (4.8 GW) shown: {out}")
# ... and 4 GW is reachable: the budget factor it takes.
rc, out, err = run("solve", CAMPUS, "--target", "facility_capacity_mw@2030>=4000", "--vary", "/capex/budget*=0.1:1")
check(rc == 0 and "smallest /capex/budget (a factor)" in out and "--set '/capex/budget=" not in out,
      f"campus 4 GW: {rc} {out}")

# Invalid expressions, pointers and bounds exit 2 naming the problem; nothing written.
bad = [
    (["--target", "energy_twh@2032>>5"], "invalid target"),
    (["--target", "energy_tw@2032>=5"], "did you mean \"energy_twh\""),
    (["--target", "energy_twh@2032>=+5%"], "percentage"),
    (["--target", "limit@2032>=1"], "is text"),
    (["--target", "energy_twh@2032:nowhere>=1"], "matches no region"),
]
for args, words in bad:
    rc, out, err = run("solve", ALIBABA, *args, "--vary", "/capex/budget/then_growth=0:1")
    check(rc == 2 and words in err and out == "", f"solve {args}: exit 2 naming {words!r}: {rc} {err}")
    check_clean(err, f"solve {args}")
for vary, words in [("/capex/budget/then_growth=1:0", "LO must be less than HI"),
                    ("/capex/budget/then_growth=-5:0", "then_growth"),
                    ("/regions/nowhere/pue=1:2", "nowhere"),
                    ("/capex/budget/then_growth", "no '='"),
                    ("/horizon/end=2030:2040", "structure")]:
    rc, out, err = run("solve", ALIBABA, "--targets", "--vary", vary)
    check(rc == 2 and words in err, f"solve --vary {vary}: exit 2 naming {words!r}: {rc} {err}")
rc, out, err = run("solve", ALIBABA, "--vary", "/capex/budget/then_growth=0:1")
check(rc == 2 and "no target" in err, f"no target: {rc} {err}")

# optimize: Alibaba's split and region weights for the most compute delivered 2025-2032, the
# plan-year money all spent. The same output, byte for byte, on a second run and on one thread.
args = ["optimize", ALIBABA, "--maximize", "delivered_eflop_year@2025:2032",
        "--set", "/capex/split/facility=rest", "--vary", "/capex/split/it=0.4:0.9",
        "--vary", "/capex/region_weights/#international=0.1:2",
        "--vary", "/capex/region_weights/cn-hangzhou=0.5:4",
        "--subject-to", "capex_usd@2025:2027>=52.7e9", "--starts", "3"]
rc1, out1, err1 = run(*args, "--jobs", "2")
rc2, out2, _ = run(*args, "--jobs", "2")
rc3, out3, _ = run(*args, "--jobs", "1")
check(rc1 == 0 and "maximum of delivered_eflop_year@2025:2032" in out1 and "holds" in out1,
      f"optimize alibaba: {rc1} {out1} {err1}")
check(out1 == out2 == out3, "optimize: the same output on a second run and with --jobs 1")
# The answer as a scenario elsewhere, where a file that extends the original would need
# --allow-dir: the whole scenario merged (its includes, the search's --set) with the answer
# applied. It runs from anywhere and gives what the original with the answer's --set gives,
# byte for byte; its merged document is that one's, its description the note.
out_dir = os.path.join(d, "elsewhere")
os.makedirs(out_dir)
out_file = os.path.join(out_dir, "best.json")
rc, out, err = run(*args, "--jobs", "2", "-o", out_file)
check(rc == 0 and "runs from anywhere" in err and os.listdir(out_dir) == ["best.json"],
      f"-o elsewhere: the file named, nothing beside it: {rc} {err} {os.listdir(out_dir)}")
written = json.load(open(out_file))
answer = shlex.split(out.splitlines()[-1])
check("extends" not in written and '"include"' not in json.dumps(written)
      and written["description"].startswith("dcplan optimize: " + out.splitlines()[-1] + ", applied to " + ALIBABA),
      f"-o elsewhere: self-contained, saying where it came from: {written.get('description')}")
rc, mine, err = run("run", out_file, "--format", "csv", cwd=tempdir())
rc2, theirs, _ = run("run", ALIBABA, "--set", "/capex/split/facility=rest", *answer, "--format", "csv")
check(rc == rc2 == 0 and mine == theirs and mine.count("\n") > 100,
      f"-o elsewhere: runs from anywhere, as the original with the answer: {rc} {rc2} {err}")
rc, merged, _ = run("validate", "--merged", out_file)
rc2, merged2, _ = run("validate", "--merged", ALIBABA, "--set", "/capex/split/facility=rest", *answer,
                      "--set", "/description=" + json.dumps(written["description"]))
check(rc == rc2 == 0 and merged == merged2 == open(out_file).read(),
      "-o elsewhere: the file is the merged document with the answer and the note, byte for byte")
# In a folder above the scenario's, extends stays beneath it: today's file, which extends it.
above = os.path.join(d, "above")
os.makedirs(os.path.join(above, "sub"))
shutil.copy(MINIMAL_PATH, os.path.join(above, "sub", "minimal.json"))
rc, out, err = run("solve", os.path.join(above, "sub", "minimal.json"), "--target", "energy_twh@2030>=2.5",
                   "--vary", "/capex/budget=1e9:1e10", "-o", os.path.join(above, "solved.json"))
doc = json.load(open(os.path.join(above, "solved.json")))
check(rc == 0 and doc["extends"] == "sub/minimal.json" and "runs from anywhere" not in err,
      f"-o above the scenario's folder: extends it: {rc} {doc} {err}")
rc, out, err = run("run", os.path.join(above, "solved.json"), "--check", "-o", os.devnull)
check(rc == 0, f"-o above: runs without --allow-dir: {rc} {err}")

# optimize with constraints nobody meets: exit 1, what binds named.
rc, out, err = run("optimize", CAMPUS, "--maximize", "peak_pflops@2030", "--vary", "/capex/budget*=0.5:1",
                   "--subject-to", "facility_capacity_mw@2030>=6000")
check(rc == 1 and "INFEASIBLE" in out and "grid (us-campus)" in out, f"optimize infeasible: {rc} {out}")

# What binds is a line per target, each escaped on its own line: a newline in a target's name
# (the scenario's text) shows as \\n inside its line and never starts a line of its own.
hostile = json.load(open(MINIMAL_PATH))
hostile["targets"] = [
    {"name": "evil\n::error::forged PASS", "metric": "energy_twh", "year": 2030, "at_least": 1e6},
    {"name": "second", "metric": "peak_pflops", "year": 2030, "at_least": 1e12}]
hostile_path = os.path.join(d, "hostile-targets.json")
json.dump(hostile, open(hostile_path, "w"))
infeasible = ["solve", hostile_path, "--targets", "--vary", "/capex/budget*=0.5:2"]
rc, out, err = run(*infeasible)
lines = out.splitlines()
binds = lines[lines.index("what binds at 2:") + 1:] if "what binds at 2:" in lines else []
check(rc == 1 and binds == ["evil\\n::error::forged PASS: in 2030 bound by budget (us-east)",
                            "second: in 2030 bound by budget (us-east)"],
      f"solve infeasible: what binds, a line per target, the name escaped: {rc} {out}")
check(not any(l.startswith("::error::") for l in lines) and "\\n" not in out.replace("evil\\n", ""),
      f"solve infeasible: no forged line, no other literal \\n: {out}")
rc, out, err = run(*infeasible, "--format", "json")
check(rc == 1 and json.loads(out)["bound_by"] == ["evil\n::error::forged PASS: in 2030 bound by budget (us-east)",
                                                  "second: in 2030 bound by budget (us-east)"],
      f"solve json: bound_by is a list of lines: {out}")
rc, out, err = run("optimize", hostile_path, "--maximize", "peak_pflops@2030", "--vary", "/capex/budget*=0.5:2",
                   "--targets")
lines = out.splitlines()
binds = lines[lines.index("what binds:") + 1:lines.index("what binds:") + 3] if "what binds:" in lines else []
check(rc == 1 and binds == ["evil\\n::error::forged PASS: in 2030 bound by budget (us-east)",
                            "second: in 2030 bound by budget (us-east)"]
      and not any(l.startswith("::error::") for l in lines),
      f"optimize infeasible: what binds, a line per constraint: {rc} {out}")
rc, out, err = run("solve", hostile_path, "--targets", "--vary", "/capex/budget*=0.5:2",
                   "--vary", "/operations/utilisation=0.1:1")
lines = out.splitlines()
check(rc == 1 and "   evil\\n::error::forged PASS: in 2030 bound by budget (us-east)" in lines
      and "   second: in 2030 bound by budget (us-east)" in lines
      and not any(l.startswith("::error::") for l in lines),
      f"levers: what binds each infeasible one, a line per target: {rc} {out}")

# The cheapest lever, by hand: the minimal scenario's budget as a straight line from US$2 bn in
# 2025 to 2 bn in 2030, and a target of 3 bn of capex in 2030. Raising the 2030 point to 3 bn
# spends 2.0 + 2.2 + 2.4 + 2.6 + 2.8 + 3.0 = 15 bn over the horizon; scaling the whole budget
# by 1.5 spends 6 x 3 = 18 bn; utilisation moves no money: infeasible, listed last with why.
MINIMAL = "scenarios/examples/minimal.json"
levers = ["solve", MINIMAL, "--set", '/capex/budget={"series":{"2025":2e9,"2030":2e9}}',
          "--target", "capex_usd@2030>=3e9", "--vary", "/operations/utilisation=0.1:1",
          "--vary", "/capex/budget*=1:5", "--vary", "/capex/budget/series/2030=1e9:1e10"]
rc, out, err = run(*levers)
lines = out.splitlines()
check(rc == 0 and "3 levers, each alone, cheapest first; cost: capex_usd@2025:2030 (USD)" in lines[0],
      f"levers: the cost named with its currency: {rc} {out} {err}")
rows = [l for l in lines[1:] if l[:3] in ("1  ", "2  ", "3  ")]
check(len(rows) == 3 and "/capex/budget/series/2030" in rows[0] and "1.5e+10" in rows[0]
      and "/capex/budget (a factor)" in rows[1] and "1.8e+10" in rows[1]
      and "/operations/utilisation" in rows[2] and "infeasible" in rows[2],
      f"levers: cheapest first, the infeasible last: {out}")
check("3. no value meets every target; what binds at 0.1" in out and "bound by budget" in out,
      f"levers: why the infeasible one fails: {out}")
rc, out, err = run(*levers, "--format", "json")
j = json.loads(out)
costs = [lever["cost"] for lever in j["levers"]]
check(rc == 0 and j["cost"] == "capex_usd@2025:2030" and j["currency"] == "USD"
      and abs(costs[0] - 15e9) < 1e4 and costs[1] == 18e9 and costs[2] is None
      and [lever["parameter"] for lever in j["levers"]] ==
      ["/capex/budget/series/2030", "/capex/budget", "/operations/utilisation"],
      f"levers json: a list of answers with their costs: {j}")
# --cost names another metric; a bad one exits 2 naming --cost before any search.
rc, out, err = run(*levers, "--cost", "energy_twh@2030")
check(rc == 0 and "cost: energy_twh@2030 at each answer" in out, f"--cost: {rc} {out} {err}")
rc, out, err = run(*levers, "--cost", "energy_tw")
check(rc == 2 and "--cost" in err and "energy_twh" in err and out == "", f"bad --cost: {rc} {err}")

finish()
