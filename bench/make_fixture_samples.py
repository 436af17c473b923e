#!/usr/bin/env python3
"""Random sample requests for an ONNX model (the precision table's fixtures): every graph input
that is not an initializer gets normal(0, 1) values of its dtype; the first symbolic dim is the request's
candidate count N, drawn from 1..max-rows (the first request has max-rows). Writes an .npz in the
layout of `rankrt samples from-npz` (arrays s<i>/<input>).
Usage: make_fixture_samples.py MODEL.onnx OUT.npz [--samples 16] [--max-rows 511] [--seed 2]"""
import argparse

import numpy as np
import onnx

p = argparse.ArgumentParser()
p.add_argument("model")
p.add_argument("out")
p.add_argument("--samples", type=int, default=16)
p.add_argument("--max-rows", type=int, default=511)
p.add_argument("--seed", type=int, default=2)
a = p.parse_args()
g = onnx.load(a.model).graph
initializers = {t.name for t in g.initializer}
rng = np.random.default_rng(a.seed)
arrays = {"output_names": np.array([g.output[0].name])}
for i in range(a.samples):
    n = a.max_rows if i == 0 else int(rng.integers(1, a.max_rows + 1))
    for v in g.input:
        if v.name in initializers:
            continue
        t = v.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else n for d in t.shape.dim]
        dtype = onnx.helper.tensor_dtype_to_np_dtype(t.elem_type)
        arrays[f"s{i}/{v.name}"] = rng.standard_normal(dims).astype(dtype)
np.savez(a.out, **arrays)
