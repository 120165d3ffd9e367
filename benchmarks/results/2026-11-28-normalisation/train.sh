#!/bin/bash
# Fine-tune the shipped model on the detector-like films for 10 minutes, one normalisation.
cd "$(dirname "$0")/../../.."  # the repository root
.venv/bin/xray-denoise train /tmp/normexp/det --output /tmp/normexp/$1/model.safetensors \
  --init-model resources/models/xray-diffusion.safetensors --minutes 10 --normalisation $1 \
  --batch-size 8 --patch-size 128 --binning 2 --val-every 0 --threads 1 --seed 5 --no-progress \
  > /tmp/normexp/$1.log 2>&1
echo "exit=$?" >> /tmp/normexp/$1.log
