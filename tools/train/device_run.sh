#!/bin/bash
# The one training run on the lent GPU machine (16 cores, no internet, no TTS installed). espeak-ng and flite travel
# as tools/train/work/carry/synth.tgz (binaries + their libraries + English espeak data, made by prepare.sh), so the
# speech is synthesised there on 16 cores. Results go to $OUT: log, weights in two parts (< 16 MiB each), state.
# Budgets come from the environment: SYNTH (s of synthesis), TRAIN (s of training).
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/device-out}
mkdir -p "$OUT" /tmp/synth
tar -xzf tools/train/work/carry/synth.tgz -C /tmp/synth
export PATH=/tmp/synth/bin:$PATH
espeak-ng --version && flite -lv || echo "TTS check failed"
nvidia-smi --query-gpu=name,memory.total --format=csv 2>/dev/null || true
${PYTHON:-python3} tools/train/train.py --out /tmp/train-out --export-dir "$OUT" --workers "$(nproc)" \
  --synth-seconds "${SYNTH:-90}" --train-seconds "${TRAIN:-380}" --eval-every 120 --ckpt-every 120 \
  ${EXTRA:-} 2>&1 | tee "$OUT/train.log"
ls -la "$OUT"
