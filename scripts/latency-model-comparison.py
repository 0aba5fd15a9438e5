#!/usr/bin/env python3
"""Compares online learners for the latency model on the same observations (docs/scheduler.md, "Latency model").

Input: a CSV written by `jetway simulate --latency-trace FILE` (one line per observation the model learned from:
policy, replicas, endpoint, kind, time, observed, predicted, then the joint feature vector). Every learner sees the
observations in order and predicts each one before learning from it (prequential evaluation); the table reports the
mean absolute percentage error (MAPE) and the weighted one (WAPE: sum |error| / sum observed) over the second half,
per kind (ttft, tpot), for the policy given (default: the first in the file).

Learners:
  prior      the prior only (LatencyPrior: 15,928 prefill tok/s, 20 ms decode step), never updated
  scaled     the prior times a per-endpoint EWMA of observed / prior prediction (a calibrated analytic model)
  lms        normalised least mean squares on the same features, per endpoint (stochastic gradient, step 0.5)
  window     least squares refitted on each endpoint's last 500 observations (weights 1/y^2), every 50
  rls        Jetway's model: per-endpoint weighted recursive least squares with forgetting (window 1000), the pool's
             coefficients until an endpoint has 20 observations, coefficients projected onto >= 0 in the metric of
             the information matrix (a replay of dev.jetway.scheduler.latency, not the Java code itself)
  rls+bias   rls times a per-endpoint EWMA (weight 0.05) of observed / rls prediction, per kind: a fast bias
             correction on top of the slow regression
  logged     what the simulated policy itself predicted (the Java model, for checking the replay)

Usage: scripts/latency-model-comparison.py TRACE.csv [POLICY]
Needs numpy.
"""
import csv
import sys

import numpy as np

TTFT_FEATURES = 8


def prior():
    per_ktok = 1e3 / 15928
    step = 0.020
    m = np.zeros(12)
    m[0] = step
    m[1] = per_ktok
    m[2] = 0
    m[3] = 1.0
    m[4] = step / 40
    m[5] = step / 2
    m[6] = per_ktok * 0.1 / 8.192
    m[7] = per_ktok
    m[8] = step
    m[9] = step / 4
    m[10] = step / 40
    m[11] = step * per_ktok
    floor = np.array([0.05, 0.1, 0.05, 2, 0.005, 0.05, 0.01, 0.2, 0.05, 0.02, 0.005, 0.01])
    return m, np.maximum(2 * m, floor) ** 2


def project(theta, p):
    x = np.maximum(theta, 0)
    if (theta >= 0).all():
        return x
    try:
        h = np.linalg.inv(p)
    except np.linalg.LinAlgError:
        return x
    for _ in range(100):
        moved = 0
        for i in range(len(x)):
            nxt = max(0.0, x[i] - h[i] @ (x - theta) / h[i, i])
            moved = max(moved, abs(nxt - x[i]))
            x[i] = nxt
        if moved < 1e-12:
            break
    return x


class Rls:
    def __init__(self, mean, var, lam=1 - 1 / 1000):
        self.theta = mean.copy()
        self.p = np.diag(var.copy())
        self.var = var
        self.lam = lam
        self.n = 0
        self.pub = mean.copy()

    def update(self, x, y):
        w = 1 / max(y, 0.005) ** 2
        sw = np.sqrt(w)
        px = self.p @ x * sw
        den = self.lam + (x * sw) @ px
        self.theta = self.theta + px / den * (y - self.theta @ x) * sw
        self.p = (self.p - np.outer(px, px) / den) / self.lam
        d = np.diag(self.p).copy()
        for i in np.where(d > self.var)[0]:
            s = np.sqrt(self.var[i] / d[i])
            self.p[i, :] *= s
            self.p[:, i] *= s
        self.pub = project(self.theta, self.p)
        self.n += 1


def main():
    rows = list(csv.reader(open(sys.argv[1])))[1:]
    policy = sys.argv[2] if len(sys.argv) > 2 else rows[0][0]
    rows = [r for r in rows if r[0] == policy]
    mean, var = prior()
    pool = Rls(mean, var)
    per = {}
    scaled = {}
    lms = {}
    window = {}
    bias = {}
    names = ("prior", "scaled", "lms", "window", "rls", "rls+bias", "logged")
    errors = {k: {n: [] for n in names} for k in ("ttft", "tpot")}
    observed = {"ttft": [], "tpot": []}
    for r in rows:
        kind = r[3]
        if kind not in errors:
            continue
        ep = r[2]
        y = float(r[5])
        x = np.array([float(v) for v in r[7:]])
        e = per.setdefault(ep, Rls(mean, var))
        preds = {
            "prior": mean @ x,
            "scaled": (mean @ x) * scaled.get((ep, kind), 1.0),
            "lms": lms.setdefault(ep, mean.copy()) @ x,
            "window": window.setdefault(ep, {"theta": mean.copy(), "xs": [], "ys": []})["theta"] @ x,
            "rls": (e.pub if e.n >= 20 else pool.pub) @ x,
            "rls+bias": (e.pub if e.n >= 20 else pool.pub) @ x * bias.get((ep, kind), 1.0),
            "logged": float(r[6]),
        }
        floor = 1e-3 if kind == "ttft" else 1e-4
        for name, pred in preds.items():
            errors[kind][name].append(abs(max(pred, floor) - y))
        observed[kind].append(y)
        # learn
        ratio = y / max(mean @ x, floor)
        key = (ep, kind)
        scaled[key] = scaled.get(key, ratio) * 0.95 + 0.05 * ratio
        rls_pred = max((e.pub if e.n >= 20 else pool.pub) @ x, floor)
        bias[key] = bias.get(key, 1.0) * 0.95 + 0.05 * (y / rls_pred)
        th = lms[ep]
        g = (y - th @ x) / max(y, 0.005)
        lms[ep] = th + 0.5 * g * (x / max(y, 0.005)) / (1e-9 + (x / max(y, 0.005)) @ (x / max(y, 0.005)))
        wnd = window[ep]
        wnd["xs"].append(x)
        wnd["ys"].append(y)
        wnd["xs"] = wnd["xs"][-500:]
        wnd["ys"] = wnd["ys"][-500:]
        if len(wnd["ys"]) % 50 == 0 and len(wnd["ys"]) >= 50:
            xs = np.array(wnd["xs"])
            ys = np.array(wnd["ys"])
            w = 1 / np.maximum(ys, 0.005)
            sol, *_ = np.linalg.lstsq(np.vstack([xs * w[:, None], np.diag(1 / np.sqrt(var))]),
                                      np.concatenate([ys * w, mean / np.sqrt(var)]), rcond=None)
            wnd["theta"] = sol
        e.update(x, y)
        pool.update(x, y)
    print(f"policy {policy}: MAPE / WAPE over the second half of each kind's observations")
    print("| learner | TTFT MAPE | TTFT WAPE | TPOT MAPE | TPOT WAPE |")
    print("|---|---:|---:|---:|---:|")
    for name in names:
        cells = []
        for kind in ("ttft", "tpot"):
            err = np.array(errors[kind][name])
            y = np.array(observed[kind])
            if len(y) == 0:
                cells += ["–", "–"]
                continue
            h = len(y) // 2
            cells += [f"{100 * np.mean(err[h:] / y[h:]):.1f}%", f"{100 * err[h:].sum() / y[h:].sum():.1f}%"]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
