#!/usr/bin/env python3
"""Statistics of mooncake-conversation-sample.txt, as reported in docs/benchmarking.md ("conversation").

Usage: python3 docs/workloads/mooncake-conversation-stats.py [sample.txt]   (needs numpy)

The sample is windows of Mooncake's conversation trace; each window starts with a "# offset" line. Hash ids are
numbered in order of first appearance, so an id older than its window's first new id was seen before: a request
whose ids (after block 0, shared by all) start with old ids continues an earlier request's prompt.
"""
import math
import sys

import numpy as np

TRACE_REQUESTS = 12031      # the Hugging Face mirror's dataset card (valeriol29/mooncake-traces)
TRACE_END_S = 3537          # last timestamp of the trace (its last window)
BLOCK = 512


def runs(text):
    ids = []
    for part in text.split(','):
        a, _, b = part.partition('-')
        ids.extend(range(int(a), int(b or a) + 1))
    return ids


def read(path):
    windows = []
    for line in open(path):
        if line.startswith('# offset'):
            windows.append([])
        elif line.strip() and not line.startswith('#'):
            ts, inp, out, ids = line.split()
            windows[-1].append((int(ts), int(inp), int(out), runs(ids)))
    return windows


def pct(a, ps=(10, 25, 50, 75, 90, 99)):
    return ' '.join('p%d %.0f' % (p, np.percentile(a, p)) for p in ps)


def main(path):
    windows = read(path)
    # each window's first line ends with a new id: (time, frontier) anchors date any id by interpolation
    anchors = sorted({(0, 0)} | {(w[0][0], w[0][3][-1]) for w in windows if w[0][0] > 0})
    at = np.array([a[0] for a in anchors], float)
    ai = np.array([a[1] for a in anchors], float)
    rate = [(ai[k + 1] - ai[k]) / ((at[k + 1] - at[k]) / 1000) for k in range(len(ai) - 1)]
    print('new ids per second between windows:', ' '.join('%.1f' % r for r in rate))

    recs = []
    for w in windows:
        frontier = w[0][3][-1]
        for ts, inp, out, ids in w:
            old = [x for x in ids[1:] if x < frontier]
            assert ids[1:1 + len(old)] == old, 'old ids are not a leading run: %s' % ids
            frontier = max(frontier, ids[-1] + 1)
            turn = 1 + sum(1 for k, x in enumerate(old) if k == 0 or x != old[k - 1] + 1) if old else 1
            recs.append(dict(ts=ts / 1000, inp=inp, out=out, old=len(old), new=len(ids) - 1 - len(old), turn=turn,
                             prev=float(np.interp(max(old), ai, at)) / 1000 if old else None,
                             born=float(np.interp(old[0], ai, at)) / 1000 if old else None))
    inp = np.array([r['inp'] for r in recs])
    out = np.array([r['out'] for r in recs])
    print('requests in the sample: %d (%.1f%% of %d); trace rate %.2f req/s'
          % (len(recs), 100 * len(recs) / TRACE_REQUESTS, TRACE_REQUESTS, TRACE_REQUESTS / TRACE_END_S))
    print('input: mean %.0f median %.0f %s min %d max %d' % (inp.mean(), np.median(inp), pct(inp), inp.min(), inp.max()))
    print('output: mean %.0f median %.0f %s max %d; <= 10 tokens %.1f%%'
          % (out.mean(), np.median(out), pct(out), out.max(), 100 * np.mean(out <= 10)))
    fits = inp + out <= 40960
    print('prompt + output > 40,960: %.1f%%; mean input of the rest %.0f' % (100 * np.mean(~fits), inp[fits].mean()))

    late = [r for r in recs if r['ts'] >= 1400]
    cont_late = [r for r in late if r['old'] > 0]
    print('later turns: %.1f%% of all, %.1f%% after 1,400 s (requests per session %.2f)'
          % (100 * np.mean([r['old'] > 0 for r in recs]), 100 * len(cont_late) / len(late),
             1 / (1 - len(cont_late) / len(late))))
    turns = np.array([r['turn'] for r in late])
    print('turn number after 1,400 s:', ' '.join('%d: %.1f%%' % (k, 100 * np.mean(turns == k)) for k in range(1, 6)),
          '6+: %.1f%%' % (100 * np.mean(turns >= 6)))
    print('repeats (no new block):', sum(1 for r in recs if r['old'] > 0 and r['new'] == 0))
    gaps = np.array([r['ts'] - r['prev'] for r in recs if r['old'] > 0 and r['new'] > 0 and r['ts'] >= 1800])
    print('gap to the previous turn after 1,800 s: n %d %s mean %.0f s' % (len(gaps), pct(gaps, (10, 50, 90)), gaps.mean()))
    age = np.array([r['ts'] - r['born'] for r in recs if r['old'] > 0])
    print('session age at a later turn: %s s' % pct(age, (50, 90)))

    first = [r for r in recs if r['old'] == 0]
    past = np.array([r['inp'] - 880 for r in first])
    docs = past[past > 2000]
    text = np.maximum(past[past <= 2000], 1)
    print('first turns: %.0f%% carry > 2,000 tokens past 880: median %.0f, log sd %.2f; the rest: %s'
          % (100 * len(docs) / len(past), np.median(docs), np.log(docs).std(), pct(text, (10, 50, 90))))
    added = np.array([r['inp'] - BLOCK * (1 + r['old']) for r in recs if r['old'] > 0 and r['new'] > 0])
    big = added[added > 2000]
    print('later turns: tokens past the reused prefix: median %.0f mean %.0f; %.0f%% add > 2,000 (median %.0f, log sd %.2f)'
          % (np.median(added), added.mean(), 100 * len(big) / len(added), np.median(big), np.log(big).std()))

    def reuse(rs):
        return sum(BLOCK * (1 + r['old']) for r in rs) / sum(r['inp'] for r in rs)
    fit = [r for r in recs if r['inp'] + r['out'] <= 40960]
    print('achievable reuse (%d-token blocks, block 0 included): %.1f%% (%.1f%% of requests that fit 40,960); '
          'after 1,400 s %.1f%% (%.1f%%)' % (BLOCK, 100 * reuse(recs), 100 * reuse(fit), 100 * reuse(late),
                                           100 * reuse([r for r in fit if r['ts'] >= 1400])))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else __file__.replace('-stats.py', '-sample.txt'))
