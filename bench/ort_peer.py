#!/usr/bin/env python3
"""The peer for the CPU benchmark: DQM (converted to ONNX by bench/make_dqm_onnx.sh) on ONNX
Runtime's CPU execution provider with the same inputs, thread counts and request order as
bench/cpu_throughput: one request at a time, intra_op_num_threads = 1 and 2, inter_op 1,
sequential execution, all graph optimizations. Prints the same Markdown table rows, then the
accuracy of its output against baseline.txt (share of values over 1% relative error).

Usage: ort_peer.py DQM.onnx SAMPLES.npz BASELINE.txt [--seconds 5]
  (SAMPLES.npz: `rankrt samples to-npz samples.pb SAMPLES.npz`)
"""
import argparse
import time

import numpy as np
import onnxruntime as ort


def load_requests(npz_path, session):
    z = np.load(npz_path)
    names = {i.name.split(":")[0]: i.name for i in session.get_inputs()}
    count = len({k.split("/")[0] for k in z.keys() if k.startswith("s")})
    requests = []
    for i in range(count):
        feeds = {names[n]: z[f"s{i}/{n}"] for n in names}
        requests.append(feeds)
    return requests


def run_case(session, requests, name, threads, seconds):
    for feeds in requests:  # warm-up
        session.run(None, feeds)
    latencies, candidates = [], 0
    start = time.perf_counter()
    i = 0
    while time.perf_counter() - start < seconds:
        feeds = requests[i % len(requests)]
        t0 = time.perf_counter()
        session.run(None, feeds)
        latencies.append((time.perf_counter() - t0) * 1e3)
        candidates += next(iter(v.shape[0] for k, v in feeds.items() if k.startswith("ncomm")))
        i += 1
    elapsed = time.perf_counter() - start
    lat = np.sort(np.array(latencies))
    rank = lambda p: lat[min(len(lat) - 1, max(0, int(np.ceil(p * len(lat))) - 1))]
    print(f"| ONNX Runtime {ort.__version__} CPU | {name:<10} | {threads} | {len(lat) / elapsed:9.1f} | "
          f"{candidates / elapsed:11.0f} | {rank(0.5):7.3f} | {rank(0.99):7.3f} |", flush=True)


def accuracy(session, requests, baseline_path):
    with open(baseline_path) as f:
        baseline = [np.array([float(v) for v in line.split()]) for line in f if line.strip()]
    over = total = 0
    for feeds, base in zip(requests, baseline):
        score = session.run(None, feeds)[0][:, -1].astype(np.float64)
        rel = np.abs(score - base) / np.abs(base)
        over += int(np.sum(rel > 0.01))
        total += len(base)
    print(f"ONNX Runtime accuracy: {over} of {total} values over 1% relative error ({100 * over / total:.4f}%)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("onnx")
    p.add_argument("samples")
    p.add_argument("baseline")
    p.add_argument("--seconds", type=float, default=5.0)
    args = p.parse_args()
    for threads in (1, 2):
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(args.onnx, options, providers=["CPUExecutionProvider"])
        requests = load_requests(args.samples, session)
        n511 = [r for r in requests if next(v.shape[0] for k, v in r.items() if k.startswith("ncomm")) == 511]
        run_case(session, n511, "N=511", threads, args.seconds)
        run_case(session, requests, "mix", threads, args.seconds)
        if threads == 1:
            accuracy(session, requests, args.baseline)


if __name__ == "__main__":
    main()
