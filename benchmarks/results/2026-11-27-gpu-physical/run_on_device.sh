#!/bin/bash
# A fine-tune of the shipped model on physically noised patches (--physical-noise), on a
# lent GPU machine, as it ran there: from the repository root, with the pack of
# benchmarks/stage_binned.py in .stage and pydicom's wheel in .whl (the machine has the
# project's other dependencies but imagecodecs, which training does not need). DEVICE,
# MINUTES, WORKERS and BATCH override the run's settings for a rehearsal on a CPU.
set -euo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:?the folder the files come back from}
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl
export PYTHONPATH=/tmp/site
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true; } \
    | tee "$OUT/train.log"
rm -rf /tmp/data /tmp/run
python3 benchmarks/stage_binned.py unpack .stage /tmp/data/xray-train | tee -a "$OUT/train.log"
python3 -m core.training /tmp/data/xray-train --output /tmp/run/m.safetensors \
    --init-model resources/models/xray-diffusion.safetensors --base-channels 48 --mid-blocks 6 \
    --batch-size "${BATCH:-64}" --patch-size 192 --binning 1 --lr 1e-4 --warmup-steps 300 \
    --physical-noise 0.5 --seed 13 --steps 200000 --minutes "${MINUTES:-7.0}" \
    --workers "${WORKERS:-14}" --device "${DEVICE:-cuda}" --no-progress --val-every 2000 \
    --checkpoint-every 4000 2>&1 | tee -a "$OUT/train.log"
sha256sum /tmp/run/m.safetensors | tee -a "$OUT/train.log"
split -b 15M /tmp/run/m.safetensors "$OUT/m.safetensors.part-"
cp /tmp/run/m.json /tmp/run/m.metrics.jsonl "$OUT/"
