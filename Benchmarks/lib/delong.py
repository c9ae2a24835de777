"""DeLong's statistical errors of AUCs (DeLong, DeLong and Clarke-Pearson 1988) with unit weights, by ranks
(Sun and Xu 2014): the benchmarks' independent counterpart of JetTag's ROCCurve.aucError.

placements(truth, scores) -> (auc, V10 per signal jet, V01 per background jet)
auc_error(truth, scores)  -> sqrt(S10 / m + S01 / n)
paired_difference(truth, a, b) -> (AUC_a - AUC_b, its error), for two taggers scored on the same jets (the
  covariance of the two AUCs is subtracted, so the error is that of the difference, not of either AUC).
"""
import numpy as np
from scipy.stats import rankdata


def placements(truth, scores):
    scores = np.asarray(scores, dtype=np.float64)
    signal, background = scores[truth == 1], scores[truth == 0]
    m, n = len(signal), len(background)
    ranks = rankdata(np.concatenate([signal, background]))  # midranks: ties count half
    v10 = (ranks[:m] - rankdata(signal)) / n  # background fraction below each signal jet
    v01 = 1 - (ranks[m:] - rankdata(background)) / m  # signal fraction above each background jet
    return v10.mean(), v10, v01


def auc_error(truth, scores):
    _, v10, v01 = placements(truth, scores)
    return float(np.sqrt(np.var(v10, ddof=1) / len(v10) + np.var(v01, ddof=1) / len(v01)))


def paired_difference(truth, first, second):
    auc_a, a10, a01 = placements(truth, first)
    auc_b, b10, b01 = placements(truth, second)
    d10, d01 = a10 - b10, a01 - b01
    return float(auc_a - auc_b), float(np.sqrt(np.var(d10, ddof=1) / len(d10) + np.var(d01, ddof=1) / len(d01)))
