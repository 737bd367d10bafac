"""Golden regression: every shipped scenario's csv output equals tests/golden/ at relative 1e-9;
a deliberate one-digit change in a catalog figure makes the comparison fail with a readable diff."""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import check, finish, run, tempdir  # noqa: E402
from golden import COMMANDS, command_golden, diff, golden_path, same_text, shipped  # noqa: E402

scenarios = shipped()
check(len(scenarios) >= 6, f"shipped scenarios: {len(scenarios)}")
for path in scenarios:
    golden = golden_path(path)
    check(os.path.exists(golden), f"{path}: golden file {golden} (tools/update-golden writes it)")
    if not os.path.exists(golden):
        continue
    rc, out, err = run("run", path, "--format", "csv")
    check(rc == 0, f"{path} runs: {err[:200]}")
    problems = diff(path, out, open(golden).read())
    check(not problems, "golden differences (run tools/update-golden if intended):\n  " + "\n  ".join(problems))

# sweep, solve, optimize and sensitivity outputs against theirs (numbers at relative 1e-9).
for name, args in COMMANDS:
    golden = command_golden(name)
    check(os.path.exists(golden), f"{name}: golden file {golden} (tools/update-golden writes it)")
    if not os.path.exists(golden):
        continue
    rc, out, err = run(*args)
    check(rc == 0, f"{name} runs: {err[:200]}")
    problems = same_text(name, out, open(golden).read())
    check(not problems, "golden differences (run tools/update-golden if intended):\n  " + "\n  ".join(problems))

# A one-digit change in a catalog figure, on a temporary copy of scenarios/.
d = tempdir()
copy = os.path.join(d, "scenarios")
shutil.copytree("scenarios", copy)
catalog = os.path.join(copy, "catalog", "hardware.json")
doc = json.load(open(catalog))
check(doc["hardware"]["h20"]["price_usd"] == 12000, "the figure to change is where expected")
doc["hardware"]["h20"]["price_usd"] = 13000  # one digit
json.dump(doc, open(catalog, "w"), indent=2)
rc, out, err = run("run", os.path.join(copy, "alibaba-380b.json"), "--format", "csv")
# limit 100: the first region (ap-southeast-1) alone differs in 20 columns, embodied_tco2 among
# them now that the catalog carries embodied carbon, so the first mainland row comes after 20.
problems = diff("alibaba-380b", out, open(golden_path("scenarios/alibaba-380b.json")).read(),
                limit=100)
check(rc == 0 and problems, "a one-digit catalog change shows up as golden differences")
readable = [p for p in problems if "golden" in p and "now" in p and "%" in p]
# (The h20 is sold in the mainland only; placed by power, its price moves the pool that other
# regions receive too, so the first difference need not be in the mainland.)
check(readable and any("cn-" in p for p in readable),
      f"the diff names year, region, column, both values: {problems[:3]}")
print("example of the diff a one-digit change produces:\n  " + "\n  ".join(problems[:4]))
finish()
