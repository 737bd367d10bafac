"""Placing the money (model v2) as a planner meets it: placement by power in the flagship plan,
the 5 GW campus, version 1 reproduced by two --set, "rest" in a sweep."""
import csv
import io
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import check, finish, run  # noqa: E402

ALIBABA = "tests/data/v2/alibaba-380b.json"  # version 2 (the pinned figures)
CAMPUS = "scenarios/examples/campus-5gw.json"
V1 = ["--set", "/capex/it_placement=weights", "--set", "/capex/it_overflow=strand"]


def table(*args):
    rc, out, err = run("run", *args, "--format", "csv")
    check(rc in (0, 1), f"run {args}: {rc} {err[:300]}")
    return list(csv.DictReader(io.StringIO(out))), err


# alibaba-380b in 2028: no region has accelerators waiting while another region that may install
# the same hardware has free capacity (version 1 stranded 836 k beside 0.9 GW of empty halls).
rows, _ = table(ALIBABA, "--years", "2028")
regions = [r for r in rows if r["region"] != "total"]
waiting = [r["region"] for r in regions if float(r["accelerators_stranded"]) > 0]
check(not waiting, f"alibaba 2028: nobody waits for power: {waiting}")
old, _ = table(ALIBABA, "--years", "2028", "--by", "total", *V1)
check(float(old[0]["accelerators_stranded"]) > 8e5, f"version 1 strands 836 k in 2028: {old}")

# Version 1 reproduced: alibaba-380b's 2028 energy as version 1 printed it (tests/golden before
# model v2), to the bit. (Every physical column matches; only the finance columns that in-service
# accounting changes by definition differ.)
rows, _ = table(ALIBABA, "--by", "total", "--years", "2028", *V1)
check(rows[0]["energy_twh"] == "11.370489983117803",
      f"version 1's 2028 energy of alibaba-380b, to the bit: {rows[0]['energy_twh']}")

# The 5 GW campus: US$ per GW of facility capacity within the public US$30-60 bn; grid binds.
rows, err = table(CAMPUS, "--by", "total")
capex = sum(float(r["capex_usd"]) for r in rows)
gw = float(rows[-1]["facility_capacity_mw"]) / 1e3
per_gw = capex / gw / 1e9
check(30 <= per_gw <= 60, f"campus: US${per_gw:.1f} bn per GW of facility capacity (30-60)")
check(all("grid" in r["limit"] for r in rows), f"campus: grid binds every year: {[r['limit'] for r in rows]}")
check(float(rows[-1]["accelerators_stranded"]) == 0, "campus: nothing strands")
old, _ = table(CAMPUS, "--by", "total", *V1)
check(float(old[-1]["accelerators_stranded"]) > 1e6, f"campus, version 1: millions strand: {old[-1]['accelerators_stranded']}")

# "rest": vary the IT share alone. alibaba-380b's facility share is 0.3, so with "other" as the
# rest the IT share can go up to 0.7: the 0.5:0.8 is refused before any run, saying so.
rc, out, err = run("sweep", ALIBABA, "--set", "/capex/split/other=rest", "--vary",
                   "/capex/split/it=0.5:0.7:0.1", "--summary")
check(rc == 0 and "2032,total,energy_twh,3," in out, f"sweep with other=rest: {rc} {err[:300]}")
rc, out, err = run("sweep", ALIBABA, "--set", "/capex/split/other=rest", "--vary",
                   "/capex/split/it=0.5:0.8:0.1", "--summary")
check(rc == 2 and out == "" and "can go up to 0.7" in err and "facility be the rest" in err,
      f"it=0.8 with facility 0.3 leaves no rest, and the message says what works: {rc} {err}")
rc, out, err = run("sweep", ALIBABA, "--set", "/capex/split/facility=rest", "--vary",
                   "/capex/split/it=0.5:0.8:0.1", "--summary")
check(rc == 0 and "2032,total,energy_twh,4," in out, f"sweep with facility=rest: {rc} {err[:300]}")
rc, out, err = run("sweep", ALIBABA, "--set", "/capex/split/facility=rest", "--vary",
                   "/capex/split/facility=0.1,0.2")
check(rc == 2 and "is \"rest\"" in err, f"varying the rest itself is refused: {err}")

finish()
