"""Re-score the shipped card's validation with both SSIMs on the 14 held-out films."""

import csv
from pathlib import Path

import numpy as np
import torch
from skimage.metrics import structural_similarity

import core.training.validation as v
from core.binning import block_means
from core.diffusion.model import load_model
from core.training.data import ImageRecord, load_images

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared/data/xray-train"
held = {"0a359802", "177330aa", "6a66932a", "b0f73b8c", "e5c29e19", "f722f605", "ff488d3e"}
rows = list(csv.DictReader(open(DATA / "data.csv")))
paths = sorted(DATA / "png" / f"{r['image_id']}" for r in rows if r["patient_id"] in held)
paths = [p if p.suffix else p.with_suffix(".png") for p in paths]
images, skipped = load_images([ImageRecord(p, "x") for p in paths])
print(len(images), skipped[:2])
model = load_model(ROOT / "resources/models/xray-diffusion.safetensors").eval()
torch.set_num_threads(1)


def old_scores(reference, denoised, noisy, keep):
    whole, ssim_map = structural_similarity(
        reference, denoised.astype(np.float64), data_range=2.0, full=True
    )
    ssim = float(whole if keep is None else ssim_map[keep].mean())
    return v._psnr(reference, noisy, keep), v._psnr(reference, denoised, keep), ssim


new_scores = v._image_scores
for binning in (1, 2):
    pix = [im.pixels if binning == 1 else block_means(im.pixels, binning) for im in images]
    pads = [im.padding if binning == 1 else None for im in images]
    val = v.Validator(pix, crop=256, padding=pads)
    for name, fn in (("skimage 7x7", old_scores), ("Wang 11x11", new_scores)):
        v._image_scores = fn
        r = val(model, 0)
        print(
            f"binning {binning} {name}: "
            + "  ".join(
                f"x{s.scale:g} {s.noisy_psnr_db:g}: {s.psnr:.2f}/{s.ssim:.4f}" for s in r.scores
            ),
            flush=True,
        )
