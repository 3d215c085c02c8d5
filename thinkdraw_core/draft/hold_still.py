"""What the artist marks to hold still: parts of the picture the muscles must not bend.

Glasses, a hand resting on the head, an earring, a microphone in front of the chin: the warp moves every
pixel near a moving landmark, so a spectacle frame over the brows folds into a W when they rise. No
landmark says where such things are, but the artist can paint them (ComfyUI's mask editor, a segmentation
node), so the draft takes a mask instead of guessing.

The marked pixels are lifted off the photo as a layer. What they covered is filled in from around them
(cv2.inpaint), so skin that moves out from under a frame shows skin, not a second, bent copy of it. Each
frame the face is warped from that filled photo and the layer is laid back on top, moved only as the head
moves (its sway), so the glasses ride on the head while the brows rise behind them.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# inpainting radius in pixels: the neighbourhood each filled pixel is taken from (cv2's documented default)
FILL_RADIUS = 3
# mask values at or under this are "not marked": a mask painted at 8 bits has no smaller step
UNMARKED = 0.5 / 255


def check_mask(mask, image_shape: tuple[int, ...], name: str = "hold_still") -> np.ndarray | None:
    """The mask as float32 HxW in 0..1; None where nothing is marked, whatever its size (ComfyUI's Load Image
    gives a 64x64 empty mask for a picture nobody painted on); ValueError naming the input and the fix."""
    mask = np.asarray(mask, dtype=np.float32)
    if not np.isfinite(mask).all():
        raise ValueError(f"{name} has values that are not numbers (NaN or infinite); use a mask with values 0..1")
    if mask.size == 0 or mask.max() <= UNMARKED:
        return None
    if mask.ndim == 3 and mask.shape[0] == 1:  # a batch of one (ComfyUI's MASK)
        mask = mask[0]
    if mask.ndim != 2:
        raise ValueError(f"{name} must be one mask (height x width), got an array of shape {tuple(mask.shape)}; "
                         f"connect a single MASK")
    if mask.shape != tuple(image_shape[:2]):
        raise ValueError(f"{name} is {mask.shape[1]}x{mask.shape[0]} but the image is {image_shape[1]}x{image_shape[0]}: "
                         f"paint the mask on this image (or resize it to the image's size)")
    return np.clip(mask, 0.0, 1.0)


@dataclass
class StillLayer:
    """The held parts of one image: the photo with them filled in (`behind`), and the layer to lay back."""

    behind: np.ndarray  # uint8 HxWx3: the photo, the marked pixels filled from around them
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 around the marked pixels
    colour: np.ndarray  # uint8 (h, w, 3): the photo's pixels in the box
    alpha: np.ndarray  # float32 (h, w) in 0..1: how much of them is laid back

    @classmethod
    def of(cls, image: np.ndarray, mask: np.ndarray | None) -> "StillLayer | None":
        """The layer of `mask` (float HxW, 1 = hold still) over `image` (uint8 RGB); None where nothing is marked."""
        if mask is None:
            return None
        marked = mask > UNMARKED
        if not marked.any():
            return None
        ys, xs = np.nonzero(marked)
        x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
        behind = cv2.inpaint(np.ascontiguousarray(image), marked.astype(np.uint8), FILL_RADIUS, cv2.INPAINT_TELEA)
        colour = np.ascontiguousarray(image[y0:y1, x0:x1])
        return cls(behind, (x0, y0, x1, y1), colour, np.ascontiguousarray(mask[y0:y1, x0:x1], dtype=np.float32))

    def over(self, frame: np.ndarray, head: np.ndarray | None = None) -> None:
        """Lay the layer over `frame` (uint8, the image's size) in place, moved by `head` (a 2x3 affine in the
        image's pixels, the head's rigid motion this frame; None = where it was)."""
        x0, y0, x1, y1 = self.box
        if head is None or np.allclose(head, [[1, 0, 0], [0, 1, 0]]):
            colour, alpha, (bx0, by0, bx1, by1) = self.colour, self.alpha, self.box
        else:
            # the box's corners where the head takes them, then the layer resampled there
            corners = np.array([[x0, y0], [x1, y0], [x0, y1], [x1, y1]], np.float64) @ head[:, :2].T + head[:, 2]
            h, w = frame.shape[:2]
            bx0, by0 = max(0, int(np.floor(corners[:, 0].min()))), max(0, int(np.floor(corners[:, 1].min())))
            bx1, by1 = min(w, int(np.ceil(corners[:, 0].max())) + 1), min(h, int(np.ceil(corners[:, 1].max())) + 1)
            if bx1 <= bx0 or by1 <= by0:
                return
            # the affine from the layer's own pixels to the destination box's
            moved = head.astype(np.float64).copy()
            moved[:, 2] += head[:, :2] @ [x0, y0] - [bx0, by0]
            size = (bx1 - bx0, by1 - by0)
            colour = cv2.warpAffine(self.colour, moved, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            alpha = cv2.warpAffine(self.alpha, moved, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        under = frame[by0:by1, bx0:bx1]
        # per pixel (1 - alpha) * frame + alpha * layer, in uint8 (five times faster than numpy's float temporaries)
        under[:] = cv2.blendLinear(under, colour, 1.0 - alpha, alpha)
