"""River baseline for bench/detection.ts (not a test): River 0.26.1's ADWIN, DDM and KSWIN
at their defaults on the very streams the bench fed Vigil.

Reads <dir>/manifest.json ([{name, n}]), and per scenario <name>.err (uint8, 1 = the
model was wrong, in event order) and <name>.feat (float64, the drifting feature).
ADWIN and DDM read the error stream, KSWIN the feature (as River's docs use them).
Prints one JSON object: {name: {adwin: [event index of each detection], ddm: [...],
kswin: [...], seconds: {...}}, "river": version}.
"""
import json
import os
import sys
import time

import numpy as np
import river
from river import drift


def detections(detector, values):
    out = []
    for i, v in enumerate(values):
        detector.update(v)
        if detector.drift_detected:
            out.append(i)
    return out


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, 'manifest.json')) as f:
        manifest = json.load(f)
    result = {'river': river.__version__}
    for s in manifest:
        errors = np.fromfile(os.path.join(folder, s['name'] + '.err'), dtype=np.uint8).tolist()
        feature = np.fromfile(os.path.join(folder, s['name'] + '.feat'), dtype=np.float64).tolist()
        row = {'seconds': {}}
        for name, make, values in (('adwin', drift.ADWIN, errors), ('ddm', drift.binary.DDM, errors), ('kswin', lambda: drift.KSWIN(seed=42), feature)):
            t0 = time.perf_counter()
            row[name] = detections(make(), values)
            row['seconds'][name] = time.perf_counter() - t0
        result[s['name']] = row
    json.dump(result, sys.stdout)


if __name__ == '__main__':
    main()
