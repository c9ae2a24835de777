"""AUC and background rejection 1/eps_B at signal efficiencies 0.3 and 0.5 (with binomial errors) of weaver-core's
prediction file (field `scores`, column 1 = top; `_label_`), as one JSON line.   Usage: python score_parquet.py P"""
import json
import sys

import awkward as ak
import numpy as np

table = ak.from_parquet(sys.argv[1])
scores, labels = ak.to_numpy(table["scores"])[:, 1], ak.to_numpy(table["_label_"])
order = np.argsort(-scores, kind="stable")
signal, background = (labels[order] == 1), (labels[order] == 0)
tpr, fpr = np.cumsum(signal) / signal.sum(), np.cumsum(background) / background.sum()
result = {"auc": float(np.trapezoid(tpr, fpr)), "rejection": {}, "rejection_error": {}}
for efficiency in (0.3, 0.5):
    eps_b = fpr[np.searchsorted(tpr, efficiency)]
    error = np.sqrt(eps_b * (1 - eps_b) / background.sum())
    result["rejection"][str(efficiency)] = float(1 / eps_b)
    result["rejection_error"][str(efficiency)] = float(error / eps_b**2)
print(json.dumps(result))
