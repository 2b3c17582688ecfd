#!/usr/bin/env python3
"""scipy side of bench/engine-drift.ts: the same drift tests on the raw samples.

Reads the columns the TypeScript benchmark wrote (float64 / int32 little-endian),
times only its own compute (loading excluded), prints one JSON line.
Tests: numeric — ks_2samp (auto), wasserstein_distance / std(ref), PSI and
Jensen–Shannon on Evidently's Sturges bins; categorical — chisquare, PSI, JS.
Usage: engine_drift_reference.py <dir> <n_numeric> <n_categorical>
"""
import json
import sys
import time

import numpy as np
from scipy import stats
from scipy.spatial import distance


def fill(p):
    nz = p[p != 0]
    m = nz.min()
    np.place(p, p == 0, m / 1e6 if m <= 1e-4 else 1e-4)
    return p


def numeric(r, c):
    out = {}
    out['ks'] = float(stats.ks_2samp(r, c).pvalue)
    out['wasserstein'] = float(stats.wasserstein_distance(r, c) / max(float(np.std(r)), 0.001))
    bins = np.histogram_bin_edges(np.concatenate([r, c]), bins='sturges')
    rp = np.histogram(r, bins)[0] / len(r)
    cp = np.histogram(c, bins)[0] / len(c)
    out['jensenshannon'] = float(distance.jensenshannon(rp, cp))
    rp, cp = fill(rp.copy()), fill(cp.copy())
    out['psi'] = float(np.sum((rp - cp) * np.log(rp / cp)))
    return out


def categorical(r, c):
    out = {}
    k = int(max(r.max(), c.max())) + 1
    rc = np.bincount(r, minlength=k).astype(float)
    cc = np.bincount(c, minlength=k).astype(float)
    keep = (rc + cc) > 0
    rc, cc = rc[keep], cc[keep]
    out['chisquare'] = float(stats.chisquare(cc, rc * (len(c) / len(r))).pvalue)
    rp, cp = rc / len(r), cc / len(c)
    out['jensenshannon'] = float(distance.jensenshannon(rp, cp))
    rp, cp = fill(rp.copy()), fill(cp.copy())
    out['psi'] = float(np.sum((rp - cp) * np.log(rp / cp)))
    return out


def main():
    d, nn, nc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cols = []
    for i in range(nn):
        cols.append(('num%d' % i, numeric, np.fromfile(f'{d}/ref_num{i}.f64', '<f8'), np.fromfile(f'{d}/cur_num{i}.f64', '<f8')))
    for i in range(nc):
        cols.append(('cat%d' % i, categorical, np.fromfile(f'{d}/ref_cat{i}.i32', '<i4'), np.fromfile(f'{d}/cur_cat{i}.i32', '<i4')))
    t0 = time.perf_counter()
    results = {name: fn(r, c) for name, fn, r, c in cols}
    seconds = time.perf_counter() - t0
    print(json.dumps({'seconds': seconds, 'results': results}))


if __name__ == '__main__':
    main()
