"""dcplan's yearly step (docs/model.md, model v2) in NumPy, vectorised over samples the way an
analyst would write it: every quantity an array with the samples first. It is the baseline the
batch engine is measured against (issue 17), and a second, independent implementation of the
model: tests/bench/compare_numpy.py checks that its numbers are dcplan's.

It covers what the benchmark scenario uses (the merged JSON of `dcplan validate --merged`):
regions with weights by selector, construction delays, grid and total caps; hardware with
availability and exponential or constant prices; placement by power with the overflow on
facilities; an initial fleet. Anything else (leases, new-build PUE, demand, "weights" placement,
other overflow policies, series trajectories other than linear points) is refused.

Usage: numpy_model.py MERGED.json FACTORS  ->  prints, per sample, the total energy (TWh) and
capex (USD) of every year, the budget multiplied by each factor (comma-separated)."""
import json
import sys

import numpy as np

EPS = 1e-9
HOURS = 8760.0


def trajectory(v, years):
    """A trajectory over the horizon: a number, a linear series (then_growth), an exponential."""
    if isinstance(v, (int, float)):
        return np.full(len(years), float(v))
    if "exponential" in v:
        e = v["exponential"]
        return np.array([e["base"] * (1 + e["rate"]) ** (y - e["base_year"]) for y in years])
    if "series" in v:
        pts = sorted((int(k), float(x)) for k, x in v["series"].items())
        if v.get("interp", "linear") != "linear":
            raise SystemExit("only linear series")
        out = []
        for y in years:
            if y <= pts[0][0]:
                out.append(pts[0][1])
            elif y >= pts[-1][0]:
                out.append(pts[-1][1] * (1 + v.get("then_growth", 0.0)) ** (y - pts[-1][0]))
            else:
                for (y0, v0), (y1, v1) in zip(pts, pts[1:]):
                    if y0 <= y <= y1:
                        out.append(v0 + (v1 - v0) * (y - y0) / (y1 - y0))
                        break
        return np.array(out)
    raise SystemExit(f"unsupported trajectory {v}")


def weight_of(region_id, region, weights):
    """The most specific selector: an id, a #tag, then *."""
    if region_id in weights:
        return weights[region_id]
    for tag in region.get("tags", []):
        if "#" + tag in weights:
            return weights["#" + tag]
    return weights.get("*", 0.0)


def water_fill(pool, weights, room, take):
    """Shares pool (S,) over regions with room (S, R), by weight, until absorbed. `take` spends
    what it is given and lowers `room` in place."""
    R = weights.shape[1]
    for _ in range(R + 1):
        active = pool > EPS
        if not active.any():
            break
        has = room > EPS
        w_room = (weights * has).sum(axis=1)
        ok = active & (w_room > 0)
        if not ok.any():
            break
        give = np.where(has & ok[:, None] & (weights > 0),
                        pool[:, None] * weights / np.where(w_room > 0, w_room, 1)[:, None], 0.0)
        taken = take(give)
        left = np.maximum(0.0, give - taken).sum(axis=1)
        pool = np.where(ok, left, pool)
    return pool


def simulate(doc, factors):
    years = list(range(doc["horizon"]["start"], doc["horizon"]["end"] + 1))
    T = len(years)
    S = len(factors)
    regions = sorted(doc["regions"].items())
    hw = sorted(doc["hardware"].items())
    R, H = len(regions), len(hw)
    for _, r in regions:
        for key in ("lease_usd_per_mw_year", "new_build_pue", "opens", "allowed_hardware"):
            if r.get(key) is not None:
                raise SystemExit(f"unsupported region key {key}")
    capex = doc["capex"]
    if capex.get("it_placement", "power") != "power" or capex.get("it_overflow", "facility") != "facility":
        raise SystemExit("only placement by power with the overflow on facilities")
    if doc.get("demand"):
        raise SystemExit("no demand")
    # Constants.
    w = np.array([h["all_in_w"] / 1e6 for _, h in hw])
    tflops = np.array([h["bf16_tflops"] for _, h in hw])
    idle = np.array([h.get("idle_fraction", 0.0) for _, h in hw])
    afr = np.array([h.get("annual_failure_rate", 0.0) for _, h in hw])
    life = np.array([h["lifetime_years"] for _, h in hw])
    price = np.array([trajectory(h["price_usd"], years) for _, h in hw])  # (H, T)
    on_sale = np.array([[h["available"] <= y <= h.get("last_sale", 9999) for y in years] for _, h in hw])
    pue = np.array([trajectory(r["pue"], years) for _, r in regions])  # (R, T)
    fac_price = np.array([trajectory(r["facility_capex_usd_per_mw"], years) for _, r in regions])
    cons = np.array([r.get("construction_years", 0) for _, r in regions])
    # Caps as (R, T) arrays; no cap is infinite.
    max_new = np.array([trajectory(r["max_new_mw_per_year"], years) if r.get("max_new_mw_per_year") is not None
                        else np.full(T, np.inf) for _, r in regions])
    max_total = np.array([trajectory(r["max_total_mw"], years) if r.get("max_total_mw") is not None
                          else np.full(T, np.inf) for _, r in regions])
    rr = np.arange(R)
    weights_doc = capex.get("region_weights", {"*": 1})
    weight = np.array([[trajectory(weight_of(rid, r, weights_doc), years)[t] for t in range(T)]
                       for rid, r in regions])  # (R, T)
    mix = capex["hardware_mix"]["*"]
    share = np.array([trajectory(mix.get(hid, 0.0), years) for hid, _ in hw])  # (H, T)
    budget = trajectory(capex.get("budget", 0.0), years)
    split = {k: trajectory(capex["split"][k], years) for k in ("it", "facility", "other")}
    u = trajectory(doc.get("operations", {}).get("utilisation", 0.6), years)
    f1 = doc.get("operations", {}).get("first_year_fraction", 0.5)
    # Cohorts: vintages from the oldest initial one to the last year.
    v0 = min([int(v) for _, r in regions for fl in r.get("initial", {}).get("fleet", {}).values() for v in fl]
             + [years[0]])
    vintages = list(range(v0, years[-1] + 1))
    V = len(vintages)
    installed = np.zeros((S, R, H, V))
    stranded = np.zeros((S, R, H, V))
    for ri, (_, r) in enumerate(regions):
        for hid, fl in r.get("initial", {}).get("fleet", {}).items():
            hi = [k for k, _ in hw].index(hid)
            for vy, n in fl.items():
                installed[:, ri, hi, int(vy) - v0] = n
    online = np.tile(np.array([r.get("initial", {}).get("it_capacity_mw", 0.0) for _, r in regions]), (S, 1))
    ext = T + 21
    pipeline = np.zeros((S, R, ext))
    completions = np.zeros((S, R, ext))
    under = np.zeros((S, R))
    carry = np.zeros(S)
    factors = np.asarray(factors)
    energy = np.zeros((S, T))
    capex_out = np.zeros((S, T))
    for t, year in enumerate(years):
        # 1. Capacity online.
        online += pipeline[:, :, t]
        under -= pipeline[:, :, t]
        pipeline[:, :, t] = 0
        # 2. Ageing: retirement, then failures of cohorts at least a year old.
        age = year - np.array(vintages)
        retire = age[None, :] >= life[:, None]  # (H, V)
        installed[:, :, retire] = 0
        stranded[:, :, retire] = 0
        fails = (age[None, :] >= 1) & ~retire
        installed = np.where(fails[None, None], installed * (1 - afr[None, None, :, None]), installed)
        # 3. Budget.
        available = budget[t] * factors + carry
        wt = weight[:, t]
        shares = wt / wt.sum()
        it = available[:, None] * split["it"][t] * shares[None]
        fac = available[:, None] * split["facility"][t] * shares[None]
        other = available[:, None] * split["other"][t] * shares[None]
        # 4. Facilities: own shares under the caps, the excess water-filled.
        done = t + cons
        cap_t = np.minimum(done, T - 1)
        room = np.minimum(max_new[rr, cap_t][None] - completions[:, rr, done],
                          max_total[:, t][None] - online - under)
        room = np.maximum(0.0, room)
        room = np.where(wt[None] > 0, room, 0.0)
        fp = fac_price[:, t][None]
        take = np.minimum(fac / fp, room)
        fac_spent = take * fp
        room -= take
        pool = np.maximum(0.0, fac - fac_spent).sum(axis=1)
        wts = np.tile(wt, (S, 1))

        def take_facility(give):
            nonlocal room, fac_spent
            mw = np.minimum(give / fp, room)
            fac_spent += mw * fp  # in place: water_fill reads the same room array
            room -= mw
            return mw * fp

        left_fac = water_fill(pool, wts, room, take_facility)
        committed = np.zeros((S, R))

        def commit():
            nonlocal committed, online, under
            usd = fac_spent - committed
            committed = fac_spent.copy()
            mw = usd / fp
            completions[:, rr, done] += mw
            now = cons == 0
            online += np.where(now[None], mw, 0.0)
            pipeline[:, rr, done] += np.where(now[None], 0.0, mw)
            under += np.where(now[None], 0.0, mw)

        commit()
        # 5. The queue (empty under placement by power, kept for the initial state).
        nameplate = (installed * w[None, None, :, None]).sum(axis=(2, 3))
        # 6. IT money placed by power.
        buy = on_sale[:, t] & (share[:, t] > 0)
        s_h = np.where(buy, share[:, t], 0.0)
        s_h = s_h / s_h.sum()
        per_usd = (s_h * w / price[:, t]).sum()
        free = np.maximum(0.0, online - nameplate)
        it_room = free / per_usd
        it_spent = np.minimum(it, it_room)
        it_room -= it_spent
        it_pool = np.maximum(0.0, it - it_spent).sum(axis=1)

        def take_it(give):
            nonlocal it_room, it_spent
            usd = np.minimum(give, it_room)
            it_spent += usd  # in place: water_fill reads the same room array
            it_room -= usd
            return usd

        overflow = water_fill(it_pool, wts, it_room, take_it)
        bought = it_spent[:, :, None] * s_h[None, None] / price[:, t][None, None]  # (S, R, H)
        vi = year - v0
        installed[:, :, :, vi] += bought
        # The overflow builds facilities against what step 4 left of the caps.
        left_it = water_fill(overflow, wts, room, take_facility)
        commit()
        carry = left_fac + left_it
        # 8. Energy: IT load by cohort, this year's purchases for first_year_fraction of it.
        frac = np.ones(V)
        frac[vi] = f1
        draw = (installed * frac[None, None, None, :]).sum(axis=3) * w[None, None] * (idle + (1 - idle) * u[t])
        load = draw.sum(axis=2)  # (S, R)
        energy[:, t] = (load * pue[:, t][None] * HOURS).sum(axis=1) / 1e6
        capex_out[:, t] = it_spent.sum(axis=1) + fac_spent.sum(axis=1) + other.sum(axis=1)
    return years, energy, capex_out


if __name__ == "__main__":
    doc = json.load(open(sys.argv[1]))
    factors = [float(x) for x in sys.argv[2].split(",")]
    years, energy, capex_out = simulate(doc, factors)
    for s in range(len(factors)):
        for t, y in enumerate(years):
            print(f"{s},{y},{energy[s, t]!r},{capex_out[s, t]!r}")
