#!/bin/bash
# One call on a lent GPU machine (2026-11-28): the CUDA-only tests, the shipped model deepened
# at the lowest resolution (6 -> 14 blocks, each new block the identity at the start, see
# core/diffusion/grow.py) and fine-tuned, and the 2048 x 2048 GPU timing of both models.
# From the repository root, with the pack of benchmarks/stage_binned.py in .stage and
# pydicom's wheel in .whl. DEVICE, MINUTES, WORKERS and BATCH override the run's settings
# for a rehearsal on a CPU.
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:?the folder the files come back from}
LOG="$OUT/train.log"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl
export PYTHONPATH=/tmp/site
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true; } | tee "$LOG"
python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())" | tee -a "$LOG"
rm -rf /tmp/data /tmp/run
python3 benchmarks/stage_binned.py unpack .stage /tmp/data/xray-train | tee -a "$LOG"
timeout 90 python3 -m pytest -q -p no:cacheprovider -k cuda \
    tests/denoise/test_table_fast_lookup.py tests/denoise/test_domain_maps_in_chunks_and_on_device.py \
    2>&1 | tail -5 | tee -a "$LOG"
python3 -m core.training /tmp/data/xray-train --output /tmp/run/m.safetensors \
    --init-model resources/models/xray-diffusion.safetensors --base-channels 48 --mid-blocks 14 \
    --normalisation range --batch-size "${BATCH:-64}" --patch-size 192 --binning 1 --lr 1.5e-4 \
    --warmup-steps 300 --seed 13 --steps 200000 --minutes "${MINUTES:-6.5}" \
    --workers "${WORKERS:-14}" --device "${DEVICE:-cuda}" --no-progress --val-every 2000 \
    --checkpoint-every 4000 2>&1 | tee -a "$LOG"
sha256sum /tmp/run/m.safetensors | tee -a "$LOG"
split -b 15M /tmp/run/m.safetensors "$OUT/m.safetensors.part-"
cp /tmp/run/m.json "$OUT/"
cp /tmp/run/m.metrics.jsonl "$OUT/train.metrics.jsonl"
for model in /tmp/run/m.safetensors resources/models/xray-diffusion.safetensors; do
    timeout 75 python3 benchmarks/device_time.py --device "${DEVICE:-cuda}" --side 2048 --repeats 5 \
        --model "$model" --no-fresh --agreement-side 0 \
        --output "/tmp/run/time_$(basename "$(dirname "$model")").md" 2>&1 | tail -4 \
        || echo "device_time stopped: $?"
done | tee "$OUT/gpu_device_time.txt"
cat /tmp/run/time_*.md >> "$OUT/gpu_device_time.txt" 2>/dev/null || true
