"""Shapes World: images of coloured shapes and questions about them, with the
boxes of the objects each question refers to, so that every explanation can be
checked against where the answer really is.

    PYTHONPATH=models python3 -m attnscope.shapes_world write --split test --count 1000 --out DIR
                                                    # images + dataset.json
    PYTHONPATH=models python3 -m attnscope.shapes_world samples   # resources/samples

Question types: existence ("is there a red circle ?"), attribute ("what color
is the square ?", "what shape is the blue object ?"), counting ("how many
triangles are there ?") and spatial relation ("is the blue square left of the
red circle ?"). Splits are seeded: the same split and count give the same data.
"""
import argparse
import json
import os
import sys

import cv2
import numpy as np

from attnscope import paths

IMAGE_SIZE = 192          # rendered size; the models see it resized to 64 x 64
PATCH_GRID = 8            # the models' patch grid
SHAPES = ["circle", "square", "triangle"]
PLURALS = {"circle": "circles", "square": "squares", "triangle": "triangles"}
COLOURS = {  # BGR
    "red": (40, 40, 215),
    "green": (50, 170, 40),
    "blue": (210, 90, 30),
    "yellow": (30, 210, 235),
    "purple": (170, 50, 150),
}
COLOUR_NAMES = list(COLOURS)
RELATIONS = ["left of", "right of", "above", "below"]
MAX_COUNT = 4
LABELS = ["yes", "no"] + COLOUR_NAMES + SHAPES + [str(n) for n in range(MAX_COUNT + 1)]
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
WORDS = ["is", "there", "a", "an", "the", "what", "color", "shape", "object", "objects", "how", "many",
         "are", "left", "right", "of", "above", "below", "?"] + COLOUR_NAMES + SHAPES + list(PLURALS.values())
VOCAB = SPECIALS + WORDS
QUESTION_TYPES = ["existence", "attribute", "counting", "spatial"]
SPLIT_SEEDS = {"train": 1000, "validation": 2000, "test": 3000, "samples": 4000}


class Scene:
    """Objects as dicts: shape, colour, centre (x, y), radius, box [x0, y0, x1, y1]."""

    def __init__(self, objects, image):
        self.objects = objects
        self.image = image


def _box(cx, cy, r):
    return [cx - r, cy - r, cx + r + 1, cy + r + 1]


def _square_half(r):
    return int(round(r * 0.86))


def _triangle(cx, cy, r):
    return np.array([[cx, cy - r], [cx - r, cy + int(r * 0.8)], [cx + r, cy + int(r * 0.8)]], np.int32)


def draw_object(img, shape, colour, cx, cy, r):
    bgr = COLOURS[colour]
    if shape == "circle":
        cv2.circle(img, (cx, cy), r, bgr, -1, cv2.LINE_AA)
    elif shape == "square":
        s = _square_half(r)
        cv2.rectangle(img, (cx - s, cy - s), (cx + s, cy + s), bgr, -1, cv2.LINE_AA)
    else:
        cv2.fillPoly(img, [_triangle(cx, cy, r)], bgr, cv2.LINE_AA)


def covers(o, x, y):
    """Whether the object's drawn shape covers point (x, y)."""
    cx, cy = o["centre"]
    r = o["radius"]
    if o["shape"] == "circle":
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    if o["shape"] == "square":
        s = _square_half(r)
        return abs(x - cx) <= s and abs(y - cy) <= s
    return cv2.pointPolygonTest(_triangle(cx, cy, r).reshape(-1, 1, 2), (float(x), float(y)), False) >= 0


def make_scene(rng, min_objects=2, max_objects=5, clutter=True, noise=True):
    """Places objects without overlap on a light background, with optional
    clutter (thin grey lines, small dots) and pixel noise."""
    img = np.full((IMAGE_SIZE, IMAGE_SIZE, 3), 232, np.uint8)
    tint = rng.integers(-12, 13, size=3)
    img = np.clip(img.astype(np.int16) + tint, 0, 255).astype(np.uint8)
    if clutter:
        for _ in range(int(rng.integers(0, 4))):
            p1 = tuple(int(v) for v in rng.integers(0, IMAGE_SIZE, 2))
            p2 = tuple(int(v) for v in rng.integers(0, IMAGE_SIZE, 2))
            g = int(rng.integers(150, 200))
            cv2.line(img, p1, p2, (g, g, g), 1, cv2.LINE_AA)
        for _ in range(int(rng.integers(0, 6))):
            c = tuple(int(v) for v in rng.integers(0, IMAGE_SIZE, 2))
            g = int(rng.integers(120, 190))
            cv2.circle(img, c, int(rng.integers(1, 3)), (g, g, g), -1)
    objects = []
    n = int(rng.integers(min_objects, max_objects + 1))
    attempts = 0
    while len(objects) < n and attempts < 200:
        attempts += 1
        r = int(rng.integers(16, 21)) if rng.random() < 0.5 else int(rng.integers(24, 30))
        cx = int(rng.integers(r + 2, IMAGE_SIZE - r - 2))
        cy = int(rng.integers(r + 2, IMAGE_SIZE - r - 2))
        if any((cx - o["centre"][0]) ** 2 + (cy - o["centre"][1]) ** 2 < (r + o["radius"] + 6) ** 2 for o in objects):
            continue
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        colour = COLOUR_NAMES[int(rng.integers(len(COLOUR_NAMES)))]
        objects.append({"shape": shape, "colour": colour, "centre": [cx, cy], "radius": r,
                        "size": "small" if r < 22 else "large", "box": _box(cx, cy, r)})
    for o in objects:
        draw_object(img, o["shape"], o["colour"], o["centre"][0], o["centre"][1], o["radius"])
    if noise:
        sigma = float(rng.uniform(0, 6))
        img = np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)
    return Scene(objects, img)


def patch_labels(scene, grid=PATCH_GRID):
    """What covers each patch centre: 0 for background, else 1 + colour * 3 +
    shape of the object drawn there. Row-major."""
    step = IMAGE_SIZE / grid
    labels = []
    for r in range(grid):
        for c in range(grid):
            x, y = (c + 0.5) * step, (r + 0.5) * step
            label = 0
            for o in scene.objects:
                if covers(o, x, y):
                    label = 1 + COLOUR_NAMES.index(o["colour"]) * len(SHAPES) + SHAPES.index(o["shape"])
            labels.append(label)
    return labels


PATCH_CLASSES = 1 + len(COLOUR_NAMES) * len(SHAPES)


def _article(word):
    return "an" if word[0] in "aeiou" else "a"


def question_existence(scene, rng):
    present = {(o["colour"], o["shape"]) for o in scene.objects}
    if rng.random() < 0.5 and present:
        colour, shape = sorted(present)[int(rng.integers(len(present)))]
    else:
        absent = [(c, s) for c in COLOUR_NAMES for s in SHAPES if (c, s) not in present]
        colour, shape = absent[int(rng.integers(len(absent)))]
    refs = [o for o in scene.objects if o["colour"] == colour and o["shape"] == shape]
    return {"question": "is there %s %s %s ?" % (_article(colour), colour, shape),
            "answer": "yes" if refs else "no", "type": "existence", "boxes": [o["box"] for o in refs]}


def question_attribute(scene, rng):
    shapes = [s for s in SHAPES if sum(o["shape"] == s for o in scene.objects) == 1]
    colours = [c for c in COLOUR_NAMES if sum(o["colour"] == c for o in scene.objects) == 1]
    if shapes and (not colours or rng.random() < 0.5):
        shape = shapes[int(rng.integers(len(shapes)))]
        o = next(o for o in scene.objects if o["shape"] == shape)
        return {"question": "what color is the %s ?" % shape, "answer": o["colour"], "type": "attribute",
                "boxes": [o["box"]]}
    if colours:
        colour = colours[int(rng.integers(len(colours)))]
        o = next(o for o in scene.objects if o["colour"] == colour)
        return {"question": "what shape is the %s object ?" % colour, "answer": o["shape"], "type": "attribute",
                "boxes": [o["box"]]}
    return None


def question_counting(scene, rng):
    if rng.random() < 0.5:
        shape = SHAPES[int(rng.integers(len(SHAPES)))]
        refs = [o for o in scene.objects if o["shape"] == shape]
        text = "how many %s are there ?" % PLURALS[shape]
    else:
        colour = COLOUR_NAMES[int(rng.integers(len(COLOUR_NAMES)))]
        refs = [o for o in scene.objects if o["colour"] == colour]
        text = "how many %s objects are there ?" % colour
    if len(refs) > MAX_COUNT:
        return None
    return {"question": text, "answer": str(len(refs)), "type": "counting", "boxes": [o["box"] for o in refs]}


def _holds(relation, a, b):
    (ax, ay), (bx, by) = a["centre"], b["centre"]
    return {"left of": ax < bx, "right of": ax > bx, "above": ay < by, "below": ay > by}[relation]


def question_spatial(scene, rng):
    unique = [o for o in scene.objects
              if sum(p["colour"] == o["colour"] and p["shape"] == o["shape"] for p in scene.objects) == 1]
    if len(unique) < 2:
        return None
    i, j = rng.choice(len(unique), size=2, replace=False)
    a, b = unique[int(i)], unique[int(j)]
    relation = RELATIONS[int(rng.integers(len(RELATIONS)))]
    # Only clear cases: the centres differ by at least 8 pixels along the axis.
    axis = 0 if relation in ("left of", "right of") else 1
    if abs(a["centre"][axis] - b["centre"][axis]) < 8:
        return None
    text = "is the %s %s %s the %s %s ?" % (a["colour"], a["shape"], relation, b["colour"], b["shape"])
    return {"question": text, "answer": "yes" if _holds(relation, a, b) else "no", "type": "spatial",
            "boxes": [a["box"], b["box"]]}


GENERATORS = {"existence": question_existence, "attribute": question_attribute,
              "counting": question_counting, "spatial": question_spatial}


def make_split(split, count, questions_per_image=4, seed=None, types=None):
    """Yields (scene, questions) until `count` questions are made, cycling
    through `types` (default: each question type once, so equal shares)."""
    types = types or QUESTION_TYPES
    rng = np.random.default_rng(SPLIT_SEEDS[split] if seed is None else seed)
    made = 0
    turn = 0
    while made < count:
        scene = make_scene(rng)
        questions = []
        tries = 0
        while len(questions) < questions_per_image and made + len(questions) < count and tries < 12:
            tries += 1
            kind = types[turn % len(types)]
            q = GENERATORS[kind](scene, rng)
            if q is None or any(q["question"] == p["question"] for p in questions):
                continue
            turn += 1
            questions.append(q)
        made += len(questions)
        if questions:
            yield scene, questions


def write_split(split, count, out, seed=None):
    os.makedirs(out, exist_ok=True)
    samples = []
    for n, (scene, questions) in enumerate(make_split(split, count, seed=seed)):
        name = "%s_%05d.png" % (split, n)
        cv2.imwrite(os.path.join(out, name), scene.image)
        for q in questions:
            samples.append(dict(image=name, **q))
    with open(os.path.join(out, "dataset.json"), "w") as f:
        json.dump({"generator": "models/attnscope/shapes_world.py", "split": split, "samples": samples}, f, indent=1)
    return samples


def write_samples(out):
    """The samples shipped in resources/samples: a few scenes with a question
    of each type, and shapes.png / shapes.txt, the pair AttnScope opens first."""
    samples = write_split("samples", 24, out)
    first = next(s for s in samples if s["type"] == "existence" and s["answer"] == "yes")
    with open(os.path.join(out, first["image"]), "rb") as f:
        image = f.read()
    with open(os.path.join(out, "shapes.png"), "wb") as f:
        f.write(image)
    with open(os.path.join(out, "shapes.txt"), "w") as f:
        f.write(first["question"] + "\n")
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="write a split: images and dataset.json")
    w.add_argument("--split", choices=list(SPLIT_SEEDS), required=True)
    w.add_argument("--count", type=int, required=True, help="number of questions")
    w.add_argument("--out", required=True)
    s = sub.add_parser("samples", help="write the samples shipped in resources/samples")
    s.add_argument("--out", default=paths.SAMPLES)
    args = parser.parse_args()
    if args.command == "samples":
        samples = write_samples(args.out)
    else:
        samples = write_split(args.split, args.count, args.out)
    print("wrote %d questions to %s" % (len(samples), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
