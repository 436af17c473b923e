#!/bin/sh
# Converts DQM's frozen TensorFlow graph to ONNX with tf2onnx (the ONNX Runtime peer's input).
# Usage: bench/make_dqm_onnx.sh [FROZEN_GRAPH.pb] [OUT.onnx]; needs a Python with tensorflow and
# tf2onnx (default /tmp/tfenv/bin/python, override with PYTHON=...). Never commit the output.
set -eu
GRAPH=${1:-/work/shared/models/dqm/frozen_graph.pb}
OUT=${2:-build-cpu/dqm.onnx}
PYTHON=${PYTHON:-/tmp/tfenv/bin/python}
mkdir -p "$(dirname "$OUT")"
"$PYTHON" -m tf2onnx.convert --graphdef "$GRAPH" --inputs comm:0,ncomm:0 --outputs concat_1:0 \
  --opset 17 --output "$OUT"
