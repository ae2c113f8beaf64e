#!/usr/bin/env bash
# `make demo`: generate the shapes world (if missing), pre-train the
# backbone on it (the demo's ImageNet; cached), pre-train a small E2E-VLP
# with all four losses on CPU, test it on held-out scenes and print the
# metrics beside trivial baselines.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
DATA=data/shapes_world
# DEMO_CONFIG=configs/demo/e2evlp_shapes_pretrain_2100it.py: 1.5x the
# iterations, for hosts where it fits the minutes (docs/get_started.md)
CONFIG=${DEMO_CONFIG:-configs/demo/e2evlp_shapes_pretrain.py}
WORK=${DEMO_WORK_DIR:-work_dirs/demo}
BACKBONE_CONFIG=configs/demo/e2evlp_shapes_backbone.py
BACKBONE=${DEMO_BACKBONE_DIR:-work_dirs/demo_backbone}
start=$(date +%s)
step() { printf '\n[demo %4ss] %s\n' "$(($(date +%s) - start))" "$*"; }
# Threads sleep instead of spinning while they wait: on a shared 2-core
# machine spinning OpenMP threads made an iteration 4-10x slower. The thread
# count stays torch's default, so the run stays deterministic.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

# The world's counts are in its README.txt; a world made by an older
# release (1,000 NLVR2 statements) is made again, with its tokenizer.
if ! grep -qx 'nlvr2: 5000' "$DATA/README.txt" 2>/dev/null; then
  step "generating the shapes world in $DATA"
  "$PY" tools/dataset_converters/make_shapes_world.py --out "$DATA" \
    --num-images 2000 --seed 0 --num-nlvr2 5000
fi
if [[ ! -f $BACKBONE/last_checkpoint ]]; then
  step "pre-training the backbone on object windows -> $BACKBONE"
  "$PY" tools/train.py "$BACKBONE_CONFIG" --work-dir "$BACKBONE"
fi
backbone=$(cat "$BACKBONE/last_checkpoint")
step "pre-training (MLM + ITM + detection + captioning) -> $WORK"
echo "(the CPU first, then after 15 iterations its measured s/iter and the time left)"
# load_from reads the backbone's weights (the classifier's other keys,
# its head, are reported as unexpected and left out)
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK" \
  --cfg-options "load_from=$backbone" "$@"
ckpt=$(cat "$WORK/last_checkpoint")
step "testing $ckpt on the held-out scenes"
"$PY" tools/test.py "$CONFIG" "$ckpt" --work-dir "$WORK/test"
step "scoring the baselines"
"$PY" tools/analysis_tools/demo_table.py "pretrain=$CONFIG:$WORK/test"
step "drawing held-out predictions and the loss curve"
"$PY" tools/analysis_tools/demo_pictures.py "$WORK" --out "$WORK/pictures/pretrain.png"
"$PY" tools/analysis_tools/plot_loss.py "$WORK" --out "$WORK/pictures/loss.png"
step "done"
