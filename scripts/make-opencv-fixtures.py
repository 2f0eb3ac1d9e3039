#!/usr/bin/env python3
"""Writes src/main/vision/fixtures/opencv.json: cv2.resize(INTER_LINEAR) and cv2.warpAffine outputs
on a fixed random image, so the TypeScript ports are tested bit for bit without OpenCV installed.
Run with a python that has cv2 (Debian: apt-get install python3-opencv; /usr/bin/python3)."""
import base64, hashlib, json, os
import cv2
import numpy as np

rng = np.random.default_rng(20261125)
src = rng.integers(0, 256, (29, 37, 3), dtype=np.uint8)
# A smooth image too: random noise hides rounding differences less well than gradients do.
yy, xx = np.mgrid[0:48, 0:64]
smooth = np.stack([(xx * 4) % 256, (yy * 5) % 256, ((xx + yy) * 3) % 256], -1).astype(np.uint8)
b64 = lambda a: base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()
cases = []
def record(out):
    # Large outputs are pinned by hash only, to keep the fixture small.
    r = {"sha256": hashlib.sha256(np.ascontiguousarray(out).tobytes()).hexdigest()}
    if out.shape[0] * out.shape[1] <= 4096:
        r["out"] = b64(out)
    return r
for name, img in (("noise", src), ("smooth", smooth)):
    h, w = img.shape[:2]
    for (dw, dh) in [(w * 2, h * 2), (w // 2, h // 2), (17, 11), (128, 100), (w, h), (1, 1), (w + 3, h - 5), (640, 480)]:
        out = cv2.resize(img, (dw, dh))
        cases.append({"kind": "resize", "src": name, "width": dw, "height": dh, **record(out)})
    for (ang, sc, tx, ty, ow, oh) in [(0.0, 1.0, 0.0, 0.0, 40, 30), (13.0, 1.7, -5.3, 2.2, 50, 50), (-31.0, 0.6, 20.5, -3.7, 45, 35), (90.0, 1.0, 30.0, 0.0, 32, 32), (5.0, 2.5, -40.0, -30.0, 112, 112)]:
        a = np.deg2rad(ang)
        M = np.array([[sc * np.cos(a), -sc * np.sin(a), tx], [sc * np.sin(a), sc * np.cos(a), ty]])
        out = cv2.warpAffine(img, M, (ow, oh), borderValue=0.0)
        cases.append({"kind": "warp", "src": name, "matrix": M.flatten().tolist(), "width": ow, "height": oh, **record(out)})
doc = {"opencv": cv2.__version__, "sources": {"noise": {"width": 37, "height": 29, "data": b64(src)}, "smooth": {"width": 64, "height": 48, "data": b64(smooth)}}, "cases": cases}
path = os.path.join(os.path.dirname(__file__), "..", "src", "main", "vision", "fixtures", "opencv.json")
json.dump(doc, open(path, "w"))
print(path, len(cases), "cases")
