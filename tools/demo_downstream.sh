#!/usr/bin/env bash
# `make demo-downstream`: continue from the `make demo` checkpoint,
# fine-tune and test every downstream task on the shapes world (VQA,
# NLVR2, captioning, retrieval, detection with paired text) and print one
# table of all metrics beside trivial baselines.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
WORK=${DEMO_WORK_DIR:-work_dirs/demo}
TASKS=${TASKS:-vqa nlvr2 caption retrieval det}
# Threads sleep instead of spinning while they wait (as in tools/demo.sh):
# spinning OpenMP threads are several times slower on a shared machine.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
start=$(date +%s)
step() { printf '\n[demo-downstream %4ss] %s\n' "$(($(date +%s) - start))" "$*"; }

if [[ ! -f $WORK/last_checkpoint ]]; then
  step "no pre-trained checkpoint in $WORK: running make demo first"
  bash tools/demo.sh
fi
pretrained=$(cat "$WORK/last_checkpoint")
runs=("pretrain=configs/demo/e2evlp_shapes_pretrain.py:$WORK/test")
for task in $TASKS; do
  config=configs/demo/e2evlp_shapes_$task.py
  dir=${WORK}_$task
  step "$task: fine-tuning from $pretrained"
  "$PY" tools/train.py "$config" --work-dir "$dir" \
    --cfg-options "load_from=$pretrained"
  step "$task: testing"
  "$PY" tools/test.py "$config" "$(cat "$dir/last_checkpoint")" \
    --work-dir "$dir/test"
  runs+=("$task=$config:$dir/test")
done
step "scoring the baselines"
"$PY" tools/analysis_tools/demo_table.py "${runs[@]}"
step "drawing held-out predictions of each task"
for task in $TASKS; do
  "$PY" tools/analysis_tools/demo_pictures.py "${WORK}_$task" \
    --out "$WORK/pictures/$task.png"
done
step "done"
