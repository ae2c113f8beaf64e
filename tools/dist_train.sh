#!/usr/bin/env bash
# Multi-GPU / multi-node training through torchrun.
#   bash tools/dist_train.sh CONFIG GPUS [train.py args...]
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
set -euo pipefail
CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$( [ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python)}

# A preempted run ends every rank with status 75 (docs/long_runs.md), but
# torchrun reports any failed worker as its own status 1: rank 0 writes the
# run's status to this file, and the script exits with it.
STATUS_FILE=$(mktemp)
trap 'rm -f "$STATUS_FILE"' EXIT
export E2EVLP_EXIT_STATUS_FILE=$STATUS_FILE

PYTHONPATH="$ROOT:${PYTHONPATH:-}" \
"$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$ROOT/tools/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}" &
pid=$!
# A stop signal sent to this script reaches the run: SIGTERM through
# torchrun (which forwards it to its workers), SIGUSR1 straight to the
# workers (torchrun itself would die of it).
trap 'kill -TERM "$pid" 2>/dev/null || true' TERM
trap 'pkill -USR1 -P "$pid" || true' USR1
while :; do
  # `wait` also returns when a trapped signal arrives: wait again until
  # torchrun has ended (a zombie still answers kill -0).
  wait "$pid" && rc=0 || rc=$?
  kill -0 "$pid" 2>/dev/null || break
done
if [[ -s $STATUS_FILE ]]; then
  rc=$(cat "$STATUS_FILE")
fi
exit "$rc"
