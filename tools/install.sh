#!/usr/bin/env bash
# Create (or update) the project's virtual environment in .venv.
#
# Used by `make env`, `make test` and `make demo`. Idempotent: a stamp file
# records a hash of requirements/ and pyproject.toml, and a second run with
# nothing changed returns at once. mmcv 2.1.0 ships no wheel for torch 2.14,
# so its CPU ops are compiled from PyPI's source archive once and the wheel
# is cached under ~/.cache/e2evlp-mm/wheels, keyed by the mmcv, torch and
# Python versions. A pre-built wheelhouse is honoured through PIP_FIND_LINKS.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${E2EVLP_VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
MMCV_VERSION=2.1.0
TORCH_VERSION=2.14.1
CACHE=${E2EVLP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/e2evlp-mm}
JOBS=${MAX_JOBS:-$(nproc)}

log() { printf '[install] %s\n' "$*"; }

stamp_hash() {
  cat "$ROOT"/requirements/*.txt "$ROOT/pyproject.toml" "$0" | sha256sum |
    cut -c1-16
}

STAMP="$VENV/.e2evlp-installed"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(stamp_hash)" ]]; then
  log "environment up to date ($VENV); nothing to do"
  exit 0
fi

start=$(date +%s)
if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating $VENV with $($PYTHON --version)"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)
"${PIP[@]}" install -q -U pip
"${PIP[@]}" install -q -r "$ROOT/requirements/build.txt"
# Every later install keeps requirements/build.txt as constraints: torch
# 2.14 requires setuptools>=77.0.3, and pip would otherwise upgrade to a
# setuptools without the pkg_resources that mmcv's setup.py imports.
KEEP=(-c "$ROOT/requirements/build.txt")
log "installing torch==$TORCH_VERSION and torchvision (about a minute)"
"${PIP[@]}" install -q "${KEEP[@]}" "torch==$TORCH_VERSION" \
  "torchvision==0.29.1"

mmcv_ok() {
  "$PY" - <<EOF 2>/dev/null
import mmcv, mmcv.ops  # noqa: F401  (the ops import needs mmcv._ext)
from mmcv.ops import nms  # noqa: F401
assert mmcv.__version__ == '$MMCV_VERSION'
EOF
}

find_wheel() {  # $1: folder; prints the first mmcv wheel for this Python.
  local tag
  tag=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
  compgen -G "$1/mmcv-$MMCV_VERSION-$tag-*.whl" | head -n 1 || true
}

if mmcv_ok; then
  log "mmcv $MMCV_VERSION with ops already installed"
else
  pytag=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
  torch_v=$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])')
  key="mmcv-$MMCV_VERSION-torch-$torch_v-$pytag-$(uname -m)"
  wheel_dir="$CACHE/wheels/$key"
  mkdir -p "$wheel_dir"
  wheel=$(find_wheel "$wheel_dir")
  [[ -n "$wheel" ]] && log "using the cached $wheel"
  if [[ -z "$wheel" && -n "${PIP_FIND_LINKS:-}" ]]; then
    for d in $PIP_FIND_LINKS; do
      w=$(find_wheel "${d#file://}")
      if [[ -n "$w" ]]; then
        log "using pre-built $w (PIP_FIND_LINKS)"
        cp "$w" "$wheel_dir/" && wheel=$(find_wheel "$wheel_dir")
        break
      fi
    done
  fi
  if [[ -z "$wheel" ]]; then
    log "building mmcv $MMCV_VERSION with its CPU ops from source."
    log "Why: no mmcv wheel exists for torch $torch_v, and mmdet needs the"
    log "compiled ops. It takes about 18 minutes on 2 cores, once: the"
    log "wheel is cached in $wheel_dir and reused by later installs."
    src=$(mktemp -d)
    trap 'rm -rf "$src"' EXIT
    "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation \
      "mmcv==$MMCV_VERSION" -d "$src"
    tar -xzf "$src/mmcv-$MMCV_VERSION.tar.gz" -C "$src"
    # torch 2.14's headers refuse C++14/17.
    sed -i 's/-std=c++1[47]/-std=c++20/g' "$src/mmcv-$MMCV_VERSION/setup.py"
    # --no-build-isolation: an isolated build cannot see torch and silently
    # builds mmcv without its ops.
    (cd "$src/mmcv-$MMCV_VERSION" &&
      MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS=$JOBS \
        "${PIP[@]}" wheel --no-build-isolation --no-deps -w "$wheel_dir" .)
    wheel=$(find_wheel "$wheel_dir")
    log "built $wheel"
  fi
  # Its own dependencies (mmengine, ...) come with runtime.txt below.
  "${PIP[@]}" install -q --no-deps --force-reinstall "$wheel"
fi

log "installing the pinned OpenMMLab stack, test tools and the web demo"
"${PIP[@]}" install -q "${KEEP[@]}" -r "$ROOT/requirements/runtime.txt" \
  -r "$ROOT/requirements/tests.txt" -r "$ROOT/requirements/webui.txt"
"${PIP[@]}" install -q --no-deps --no-build-isolation -e "$ROOT"
mmcv_ok || { log "ERROR: mmcv $MMCV_VERSION is installed but mmcv.ops does \
not import: was it built without its ops? Delete $CACHE/wheels and rerun."
  exit 1; }
"$PY" -c 'import e2evlp_mm, mmdet.models, mmcv.ops, mmpretrain' ||
  { log "ERROR: the installed stack does not import"; exit 1; }
stamp_hash >"$STAMP"
log "done in $(($(date +%s) - start)) s"
