"""Shipped catalogs and scenarios: sources on every entry, figures in range, and the published
figures the scenarios are calibrated to or compared with."""
import csv
import io
import json
import os
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
import golden  # noqa: E402
from common import check, finish, run, tempdir  # noqa: E402

# Every catalog entry has a source, and its figures lie in the documented ranges.
HW_RANGES = {"bf16_tflops": (1, 10000), "all_in_w": (100, 5000), "tdp_w": (50, 3000),
             "hbm_gb": (0, 512), "lifetime_years": (1, 10), "available": (2005, 2030),
             "annual_failure_rate": (0, 0.2), "idle_fraction": (0, 1)}
REGION_RANGES = {"pue": (1.0, 2.5), "power_price_usd_per_mwh": (10, 500),
                 "grid_g_per_kwh": (0, 1200), "facility_capex_usd_per_mw": (1e6, 5e7),
                 "construction_years": (0, 5), "opens": (2000, 2030)}


def values(v):
    if isinstance(v, (int, float)):
        return [v]
    if isinstance(v, dict) and "series" in v:
        return list(v["series"].values())
    return []


entries = 0
for name in sorted(os.listdir("scenarios/catalog")):
    if not name.endswith(".json"):
        continue
    doc = json.load(open(os.path.join("scenarios/catalog", name)))
    for section, ranges in (("hardware", HW_RANGES), ("regions", REGION_RANGES)):
        for id_, entry in doc.get(section, {}).items():
            entries += 1
            where = f"{name}: /{section}/{id_}"
            check(isinstance(entry.get("source"), str) and len(entry["source"]) > 20,
                  f"{where}: has a source")
            for key, (lo, hi) in ranges.items():
                for v in values(entry.get(key)):
                    check(lo <= v <= hi, f"{where}/{key}: {v} within [{lo}, {hi}]")
            if section == "hardware" and "tdp_w" in entry:
                # all-in power covers the board and its share of host and network.
                check(entry["tdp_w"] <= entry["all_in_w"] <= 2.5 * entry["tdp_w"],
                      f"{where}: tdp_w <= all_in_w <= 2.5 x tdp_w")
check(entries >= 13 + 29 + 5, f"catalog entries: {entries}")
hw = json.load(open("scenarios/catalog/hardware.json"))["hardware"]
for required in ["a100", "h100", "h800", "h200", "h20", "b200", "gb200", "gb300", "mi300x",
                 "mi355x", "ascend-910b", "ascend-910c", "cpu-server"]:
    check(required in hw, f"hardware catalog has {required}")
regions = json.load(open("scenarios/catalog/regions-alibaba.json"))["regions"]
open_2025 = [r for r, e in regions.items() if e.get("opens", 0) <= 2025]
check(len(open_2025) == 29, f"29 Alibaba regions open in 2025, found {len(open_2025)}")
china = [r for r, e in regions.items() if "china" in e.get("tags", [])]
check(all("h100" not in regions[r]["allowed_hardware"] for r in china),
      "export controls: no H100 in mainland regions")


def total_rows(path, *extra):
    rc, out, err = run("run", path, "--format", "csv", "--by", "total", *extra)
    check(rc == 0, f"{path} runs: {err[:300]}")
    return {int(r["year"]): r for r in csv.DictReader(io.StringIO(out))}


# Alibaba: --check runs, the capex target passes, the 10x verdict is reported either way.
rc, out, err = run("run", "scenarios/alibaba-380b.json", "--check")
check(rc in (0, 1), f"alibaba --check runs: {rc}")
capex_line = [l for l in err.splitlines() if "plan-year capex" in l]
check(capex_line and capex_line[0].startswith("PASS"), f"plan-year capex target passes: {err}")
check(any("10x 2022" in l for l in err.splitlines()), "the 10x target is reported")

# World: 2024 within 5% of the IEA's 415 TWh; 2030 reported against the IEA Base Case.
world = total_rows("scenarios/world-iea.json")
e2024 = float(world[2024]["energy_twh"])
check(abs(e2024 - 415) <= 0.05 * 415, f"world 2024 energy {e2024:.1f} TWh within 5% of 415")
e2030 = float(world[2030]["energy_twh"])
print(f"world-iea: 2030 energy {e2030:.0f} TWh (IEA Base Case ~945 TWh; 2035 cases 700-1,720)")
check(415 < e2030 < 1720, f"world 2030 energy {e2030:.0f} TWh between 2024's and the Lift-Off case")

# US: 2023 within 5% of LBNL's 176 TWh; 2028 compared with LBNL's 325-580 TWh.
us = total_rows("scenarios/us-lbnl.json")
e2023 = float(us[2023]["energy_twh"])
check(abs(e2023 - 176) <= 0.05 * 176, f"US 2023 energy {e2023:.1f} TWh within 5% of 176")
e2028 = float(us[2028]["energy_twh"])
print(f"us-lbnl: 2028 energy {e2028:.0f} TWh (LBNL 325-580 TWh)")
check(325 / 2 < e2028 < 580 * 2, f"US 2028 energy {e2028:.0f} TWh within a factor 2 of LBNL's range")

# NVIDIA-OpenAI: 10 GW of facility power at full load, accelerators and US$ per GW.
nv = total_rows("scenarios/nvidia-openai-10gw.json")
last = nv[max(nv)]
facility_gw = float(last["it_nameplate_mw"]) * float(last["pue"]) / 1e3
capex = sum(float(r["capex_usd"]) for r in nv.values())
per_gw = capex / facility_gw / 1e9
gpus = float(last["accelerators_installed"])
print(f"nvidia-openai-10gw: {facility_gw:.2f} GW facility power at full load, {gpus / 1e6:.2f} m "
      f"accelerators, US${per_gw:.1f} bn per GW")
check(facility_gw >= 10.0, f"reaches 10 GW: {facility_gw:.2f}")
check(30 <= per_gw <= 50, f"US$ per GW {per_gw:.1f} bn between Epoch's ~30 and NVIDIA's ~50")
check(2.5e6 <= gpus <= 4e6, f"accelerators {gpus:.3g}: millions, as announced (V8: ~2.9 m)")

# JUnit: well-formed XML, one test case per target, failures marked.
d = tempdir()
junit = os.path.join(d, "junit.xml")
rc, out, err = run("run", "scenarios/alibaba-380b.json", "--junit", junit)
check(rc == 0, f"--junit without --check exits 0: {rc}")
root = ET.parse(junit).getroot()
cases = root.findall(".//testcase")
n_targets = len(json.load(open("scenarios/alibaba-380b.json"))["targets"])
check(len(cases) == n_targets, f"one test case per target: {len(cases)} vs {n_targets}")
failed = [c for c in cases if c.find("failure") is not None]
check(len(failed) == int(root.find("testsuite").get("failures")), "failures counted")
check_out = run("run", "scenarios/alibaba-380b.json", "--check")[2].splitlines()
failing_names = {c.get("name") for c in failed}
for case in cases:
    name = case.get("name")
    line = [l for l in check_out if name in l]
    check(line and (line[0].startswith("FAIL") == (name in failing_names)),
          f"JUnit marks {name!r} as --check does: {line}")

# A failing target: exit 1 under --check, 0 without.
rc1, _, _ = run("run", "scenarios/examples/minimal.json", "--check", "--set", "/targets/0/at_least/times=100")
rc0, _, _ = run("run", "scenarios/examples/minimal.json", "--set", "/targets/0/at_least/times=100")
check(rc1 == 1 and rc0 == 0, f"failing target: --check exits 1 ({rc1}), without it 0 ({rc0})")

# Model v3: no shipped scenario's total energy falls in a year whose capex does not fall, and no
# region's energy falls by more than 10% in a year its capex grows, except where
# scenarios/README.md says why ("Energy year on year": Alibaba's 2022-2024 budgets, an estimate,
# cannot renew the conventional fleet its 2022 energy implies, so the kept fleet runs short in
# 2023 and 2024).
# The example two-year-build spends once, in 2025: its accelerators retire in 2030 and leave the
# halls empty, as docs/model.md's worked example of the cost of capital shows.
EXPLAINED = {("alibaba-380b", 2023), ("alibaba-380b", 2024), ("alibaba-raised", 2023),
             ("alibaba-raised", 2024), ("two-year-build", 2030)}
for path in golden.shipped():
    if not path.startswith("scenarios/"):
        continue
    name = os.path.splitext(os.path.basename(path))[0]
    rc, out, err = run("-q", "run", path, "--by", "region", "--format", "csv", "--metrics",
                       "energy_twh,capex_usd")
    series = {}
    for r in csv.DictReader(io.StringIO(out)):
        series.setdefault(r["region"], []).append(
            (int(r["year"]), float(r["energy_twh"]), float(r["capex_usd"])))
    for region, seq in series.items():
        for (_, e0, c0), (year, e1, c1) in zip(seq, seq[1:]):
            if (name, year) in EXPLAINED:
                continue
            if region == "total" and e1 < e0 and c1 >= c0:
                check(False, f"{name} {year}: total energy falls ({e0:.4g} -> {e1:.4g}) while "
                             "capex does not")
            elif region != "total" and e0 > 0 and e1 < 0.9 * e0 and c1 > c0:
                check(False, f"{name} {region} {year}: energy falls {100 * (1 - e1 / e0):.1f}% "
                             "while capex grows")
            else:
                check(True, "")

# Model v3: every catalog entry has an idle draw and a retirement curve, with its source.
catalog = json.load(open("scenarios/catalog/hardware.json"))["hardware"]
for hid, hw in catalog.items():
    check(hw.get("idle_fraction", 0) > 0 and "idle_fraction" in hw["source"],
          f"{hid}: an idle draw with its source")
    check(hw.get("retirement", {}).get("curve") == "weibull" and "Weibull" in hw["source"],
          f"{hid}: a retirement curve with its source")
    # Embodied carbon (issue 27): a figure per unit, its method and its status in the source.
    said = hw["source"].partition("embodied_kgco2e")[2]
    check(0 < hw.get("embodied_kgco2e", 0) <= 5000
          and ("vendor PCF" in said or "UNVERIFIED ESTIMATE" in said)
          and "no source found, left at 0" not in said,
          f"{hid}: an embodied carbon figure with its source and status")

# The validation figures (scenarios/README.md, "Held against published figures"): us-lbnl's 2028
# inside LBNL's range.
rc, out, err = run("-q", "run", "scenarios/us-lbnl.json", "--by", "total", "--format", "csv",
                   "--metrics", "energy_twh")
e2028 = [float(r["energy_twh"]) for r in csv.DictReader(io.StringIO(out)) if r["year"] == "2028"]
check(e2028 and 325 <= e2028[0] <= 580, f"us-lbnl 2028 inside LBNL's 325-580 TWh: {e2028}")
finish()
