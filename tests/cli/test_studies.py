"""The planner's studies (issue 29): share constraints in optimize, one meaning of "holds" in its
report, report inputs matched to their scenario, result keys accepted in --metrics."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import check, check_clean, finish, run, tempdir  # noqa: E402

ALIBABA = "scenarios/alibaba-380b.json"
MINIMAL = "scenarios/examples/minimal.json"
d = tempdir()

# At least 40% of the compute delivered in 2030 in the mainland: unconstrained, the most compute
# comes from weighting the international regions as far as the range goes; with the share, the
# weight stops where the mainland's share falls to 40%.
opt = ["optimize", ALIBABA, "--maximize", "delivered_eflop_year@2030",
       "--vary", "/capex/region_weights/#international=0.1:20", "--starts", "2", "--format", "json"]
rc, out, err = run(*opt)
free = json.loads(out)
check(rc == 0 and free["parameters"][0]["value"] > 19, f"unconstrained: the weight at its bound: {rc} {out} {err}")
rc, out, err = run(*opt, "--subject-to", "delivered_eflop_year@2030:cn-*>=40%")
j = json.loads(out)
weight = j["parameters"][0]["value"]
check(rc == 0 and j["feasible"] and 0.1 < weight < 19, f"with the share: an inner weight: {rc} {out} {err}")
rc, out, err = run("run", ALIBABA, "--set", f"/capex/region_weights/#international={weight!r}",
                   "--years", "2030", "--metrics", "delivered_eflop_year", "--format", "csv")
rows = [line.split(",") for line in out.splitlines()[1:]]
mainland = sum(float(r[2]) for r in rows if r[1].startswith("cn-"))
total = sum(float(r[2]) for r in rows if r[1] == "total")
check(rc == 0 and mainland / total >= 0.4 * (1 - 1e-7),
      f"the answer run again: the mainland's share {mainland / total} >= 40%: {rc} {err}")

# "holds" means one thing in optimize's report: the headline, each row and the json agree.
cases = [
    opt[:-2] + ["--subject-to", "delivered_eflop_year@2030:cn-*>=40%"],
    opt[:-2] + ["--subject-to", "delivered_eflop_year@2030:cn-*>=99%"],  # out of reach
    ["optimize", MINIMAL, "--minimize", "cost_per_eflop_year_usd@2030", "--vary", "/capex/split/it=0.5:0.9",
     "--set", "/capex/split/facility=rest", "--subject-to", "energy_twh@2030>=1.5", "--starts", "3"],
]
for args in cases:
    rc, out, err = run(*args)
    headline = out.splitlines()[0] if out else ""
    fails = re.findall(r"^FAILS ", out, re.M)
    check(("every constraint holds" in headline) == (not fails) and rc in (0, 1),
          f"optimize {args[-3:]}: the headline agrees with the rows: {rc} {out} {err}")
    check((rc == 0) == (not fails), f"optimize {args[-3:]}: exit 1 exactly when a row fails: {rc} {out}")
    rc, out, err = run(*args, "--format", "json")
    j = json.loads(out)
    check(j["feasible"] == all(c["holds"] for c in j["constraints"]),
          f"optimize {args[-3:]}: json feasible = every constraint holds: {j}")
    check(all((c["slack"] >= 0) == c["holds"] for c in j["constraints"] if c["slack"] is not None),
          f"optimize {args[-3:]}: a slack >= 0 exactly when the row holds: {j['constraints']}")
for bad, words in [("energy_twh@2030:cn-*>=+40%", "signed percentage"),
                   ("energy_twh@2030>=40%", "selector of some regions"),
                   ("pue@2030:cn-*>=40%", "is a ratio")]:
    rc, out, err = run(*opt[:-2], "--subject-to", bad)
    check(rc == 2 and words in err and out == "", f"--subject-to {bad}: exit 2 naming {words!r}: {rc} {err}")
    check_clean(err, f"--subject-to {bad}")

# report draws a sweep or a sensitivity file only beside the scenario it was made from.
sens = os.path.join(d, "sens.csv")
rc, out, err = run("sensitivity", MINIMAL, "--method", "tornado", "--metric", "energy_twh@2030",
                   "--vary", "/capex/budget*=0.8:1.2", "--format", "csv", "-o", sens)
check(rc == 0 and os.path.exists(sens + ".meta.json"), f"sensitivity -o writes its record: {rc} {err}")
minimal_sha = json.load(open(sens + ".meta.json"))["scenario_sha256"]
page = os.path.join(d, "r.html")
rc, out, err = run("report", ALIBABA, "--sensitivity", sens, "-o", page)
check(rc == 2 and minimal_sha in err and "another scenario" in err and not os.path.exists(page),
      f"a mismatched --sensitivity: exit 2 naming the recorded hash, nothing written: {rc} {err}")
rc, out, err = run("report", MINIMAL, "--sensitivity", sens, "-o", page)
check(rc == 0 and os.path.exists(page), f"the matching scenario: drawn: {rc} {err}")
rc, out, err = run("report", ALIBABA, "--sensitivity", sens, "--force", "-o", page)
check(rc == 0 and "drawn anyway (--force)" in err, f"--force: drawn with a warning: {rc} {err}")
rc, out, err = run("report", ALIBABA, "--sensitivity", sens, "--set", "/capex/budget/then_growth=0.2",
                   "-o", page)
check(rc == 2 and minimal_sha in err, f"the hash is of the merged document, --set included: {rc} {err}")
bare = os.path.join(d, "bare.csv")
with open(bare, "w") as f:
    f.write(open(sens).read())
rc, out, err = run("report", MINIMAL, "--sensitivity", bare, "-o", page)
check(rc == 0 and "no scenario hash recorded" in err, f"a file without its record: drawn, with a warning: {rc} {err}")

# A sweep written with -o records its scenario too (FILE.meta.json): an Alibaba sweep does not go
# into a minimal report without a word, and both hashes are named.
summary = os.path.join(d, "summary.csv")
rc, out, err = run("sweep", MINIMAL, "--vary", "/capex/budget*=uniform(0.8,1.2)", "--samples", "20",
                   "--summary", "-o", summary)
check(rc == 0 and json.load(open(summary + ".meta.json"))["scenario_sha256"] == minimal_sha,
      f"sweep -o writes its record: {rc} {err}")
rc, out, err = run("report", ALIBABA, "--sweep", summary, "-o", page)
rc2, out2, err2 = run("validate", "--merged", ALIBABA)
import hashlib  # noqa: E402
alibaba_sha = hashlib.sha256(out2.encode()).hexdigest()
check(rc == 2 and minimal_sha in err and alibaba_sha in err,
      f"a mismatched --sweep: exit 2 naming both hashes: {rc} {err}")
rc, out, err = run("report", MINIMAL, "--sweep", summary, "-o", page)
check(rc == 0, f"the sweep's own scenario: drawn: {rc} {err}")

# A comparison's page names both plans in its title.
rc, out, err = run("report", ALIBABA, "--compare", "scenarios/alibaba-raised.json", "-o", page)
title = re.search(r"<title>(.*?)</title>", open(page).read()).group(1)
check(rc == 0 and " compared with " in title, f"the title names both: {title}")

# The key columns may be named in --metrics (a spreadsheet's header): accepted, nothing changes.
rc, out, err = run("run", MINIMAL, "--metrics", "year,energy_twh", "--format", "csv")
rc2, out2, err2 = run("run", MINIMAL, "--metrics", "energy_twh", "--format", "csv")
check(rc == 0 and out == out2, f"--metrics year,energy_twh: {rc} {err}")
rc, out, err = run("run", MINIMAL, "--metrics", "year,region", "--format", "csv")
check(rc == 2 and "besides the keys" in err, f"--metrics of keys alone: exit 2: {rc} {err}")

# A selector in --vary is one input (issue 29): one sweep column named as written, one draw for
# every region it matches; a selector that matches nothing names itself and what exists.
rc, out, err = run("sweep", ALIBABA, "--vary", "/regions/cn-*/pue*=uniform(0.95,1.1)", "--samples", "3",
                   "--metrics", "energy_twh", "--by", "region")
header = out.splitlines()[1] if rc == 0 else ""
check(header == "run,/regions/cn-*/pue*,year,region,energy_twh", f"one column for the selector: {rc} {header} {err}")
rc2, out2, err2 = run("sweep", ALIBABA, "--vary", "/regions/*/pue=1.15", "--metrics", "energy_twh", "--by", "region")
rows = [line.split(",", 2)[2] for line in out2.splitlines()[2:]]
ids = json.loads(run("validate", "--merged", ALIBABA)[1])["regions"]
sets = [a for r in ids for a in ("--set", f"/regions/{r}/pue=1.15")]
rc3, out3, err3 = run("run", ALIBABA, *sets, "--metrics", "energy_twh", "--format", "csv")
check(rc2 == 0 and rc3 == 0 and len(ids) > 30 and rows == out3.splitlines()[1:],
      f"/regions/*/pue=1.15 is --set of every region's pue: {rc2} {rc3} {err2} {err3}")
rc, out, err = run("sweep", ALIBABA, "--vary", "/regions/af-*/pue=1.2")
check(rc == 2 and out == "" and 'the selector "af-*" matches no region of the scenario (it has ap-northeast-1, '
      "ap-northeast-2" in err and "and 26 more)" in err, f"a selector matching nothing: exit 2 naming it: {rc} {err}")
rc, out, err = run("sensitivity", ALIBABA, "--vary", "/regions/x\x1b[31m*/pue=1.1:1.2", "--metric", "energy_twh@2032")
check(rc == 2 and "matches no region" in err, f"a hostile selector: exit 2: {rc} {err}")
check_clean(err, "a hostile selector")
# A year the scenario does not write: utilisation is a constant 0.43, 2032 set to 0.8 ramps to it.
rc, out, err = run("sweep", ALIBABA, "--vary", "/operations/utilisation/series/2032=0.8", "--metrics", "utilisation")
rc2, out2, err2 = run("run", ALIBABA, "--set", '/operations/utilisation={"series":{"2022":0.43,"2032":0.8}}',
                      "--metrics", "utilisation", "--format", "csv")
check(rc == 0 and rc2 == 0 and [r.split(",", 2)[2] for r in out.splitlines()[2:]]
      == [r for r in out2.splitlines()[1:] if ",total," in r],
      f"a series year added to a constant is the series written out: {rc} {rc2} {err} {err2}")

finish()
