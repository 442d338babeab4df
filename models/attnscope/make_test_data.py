"""Makes the test suite's data in tests/data/ (run by tests/data/make_test_data.sh):

- tiny_joint.pt, tiny_dual.pt, tiny_late.pt, tiny_teach.pt: random-weight
  models with the AttnScope contract;
- broken/*.pt and other files that are not valid models, each for one error;
- images/*.png and eval/ (a small data set with ground-truth boxes);
- shapes_test/: the first 160 questions of Shapes World's test split;
- *.reference.json: expected values from attnscope.reference, an independent
  implementation of the methods.

Everything is seeded, so a rerun writes the same data: the archives differ
in their zip records, the reference values at most in their last bits (the
BLAS and thread scheduling round differently from machine to machine).

    PYTHONPATH=models python3 -m attnscope.make_test_data [--data DIR]
        [--references-only | --teaching-model-only | --teaching-reference-only]

--data (default tests/data) is where it writes, and where the --*-only
options read the committed models from.
"""
import argparse
import json
import math
import os
import sys

import cv2
import numpy as np
import torch

from attnscope import export, paths, reference, shapes_world
from attnscope.testmodels import TinyDual, TinyJoint, TinyLate, TinyTeach, dual_manifest, joint_manifest, late_manifest


JOINT_LABELS = ["yes", "no", "red", "green", "blue", "0", "1", "2"]
DUAL_LABELS = ["yes", "no", "red"]
COLOURS = {"red": (40, 40, 220), "green": (60, 180, 60), "blue": (220, 80, 40), "yellow": (40, 220, 230)}


def draw_scene(height, width, rng, shapes):
    """A light background with shapes; returns the BGR image and the boxes
    [x0, y0, x1, y1] of the shapes."""
    img = np.full((height, width, 3), 235, np.uint8)
    img += rng.integers(0, 12, size=img.shape, dtype=np.uint8)
    boxes = []
    for kind, colour, (cx, cy), r in shapes:
        bgr = COLOURS[colour]
        if kind == "circle":
            cv2.circle(img, (cx, cy), r, bgr, -1)
        elif kind == "square":
            cv2.rectangle(img, (cx - r, cy - r), (cx + r, cy + r), bgr, -1)
        else:
            pts = np.array([[cx, cy - r], [cx - r, cy + r], [cx + r, cy + r]], np.int32)
            cv2.fillPoly(img, [pts], bgr)
        boxes.append([cx - r, cy - r, cx + r + 1, cy + r + 1])
    return img, boxes


def save_model(data, model, manifest, example, name):
    path = os.path.join(data, name)
    export.export(model, manifest, example, path)
    return path


def joint_example():
    return (torch.randn(2, 3, 16, 24), torch.tensor([[4, 5, 6, 8, 13, 0]] * 2), torch.tensor([[1, 1, 1, 1, 1, 0]] * 2))


def dual_example():
    return (torch.randn(2, 3, 12, 16), torch.tensor([[2, 19, 20, 15, 0, 0]] * 2), torch.tensor([[1, 1, 1, 1, 0, 0]] * 2))


class ScoresNotSoftmax(torch.nn.Module):
    """Returns attention scores before the softmax: rows do not sum to 1."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        logits, attentions = self.inner(image, input_ids, attention_mask)
        return logits, [a * 2.0 for a in attentions]


class DetachedAttention(torch.nn.Module):
    """Returns copies of its attention maps, cut from the graph (as fused
    attention kernels effectively do): gradient methods cannot run."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        logits, attentions = self.inner(image, input_ids, attention_mask)
        return logits, [a.detach() for a in attentions]


class LogitsOnly(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        logits, attentions = self.inner(image, input_ids, attention_mask)
        return logits


class Throws(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        if image.shape[1] == 3:
            raise RuntimeError("this model refuses every input")
        return self.inner(image, input_ids, attention_mask)


class NanLogits(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        logits, attentions = self.inner(image, input_ids, attention_mask)
        return logits * float("nan"), attentions


def write_broken(data, joint, manifest):
    broken = os.path.join(data, "broken")
    os.makedirs(broken, exist_ok=True)
    scripted = torch.jit.script(joint)

    def save(module, name, text):
        path = os.path.join(broken, name)
        if text is None:
            torch.jit.save(module, path)
        else:
            torch.jit.save(module, path, _extra_files={"attnscope.json": text})

    with open(os.path.join(broken, "not_a_model.pt"), "w") as f:
        f.write("this is a text file, not a model\n")
    open(os.path.join(broken, "empty.pt"), "w").close()
    save(scripted, "no_manifest.pt", None)
    save(scripted, "bad_json.pt", '{"name": "tiny", "task": ')
    incomplete = dict(manifest)
    del incomplete["decision"]
    save(scripted, "missing_decision.pt", json.dumps(incomplete))
    three = json.loads(json.dumps(manifest))
    three["attentions"].append({"layer": 2, "kind": "self", "query": "joint", "key": "joint"})
    save(scripted, "wrong_attention_count.pt", json.dumps(three))
    grid = json.loads(json.dumps(manifest))
    grid["streams"][0]["segments"][1]["grid"] = [2, 6]
    save(scripted, "wrong_grid.pt", json.dumps(grid))
    labels = json.loads(json.dumps(manifest))
    labels["labels"] = labels["labels"][:3]
    save(scripted, "wrong_labels.pt", json.dumps(labels))
    save(torch.jit.script(ScoresNotSoftmax(joint)), "not_softmax.pt", json.dumps(manifest))
    save(torch.jit.script(LogitsOnly(joint)), "logits_only.pt", json.dumps(manifest))
    save(torch.jit.script(DetachedAttention(joint)), "detached_attention.pt", json.dumps(manifest))
    save(torch.jit.script(Throws(joint)), "forward_throws.pt", json.dumps(manifest))
    save(torch.jit.script(NanLogits(joint)), "nan_logits.pt", json.dumps(manifest))
    with open(os.path.join(data, "tiny_joint.pt"), "rb") as f:
        whole = f.read()
    with open(os.path.join(broken, "truncated.pt"), "wb") as f:
        f.write(whole[: len(whole) // 2])


def write_images(data):
    images = os.path.join(data, "images")
    os.makedirs(images, exist_ok=True)
    rng = np.random.default_rng(7)
    img, _ = draw_scene(16, 24, rng, [("circle", "red", (6, 5), 3), ("square", "blue", (17, 10), 3)])
    cv2.imwrite(os.path.join(images, "joint_exact.png"), img)
    img, _ = draw_scene(48, 72, rng, [("triangle", "green", (20, 30), 9), ("circle", "yellow", (55, 14), 8)])
    cv2.imwrite(os.path.join(images, "joint_large.png"), img)
    img, _ = draw_scene(12, 16, rng, [("circle", "blue", (4, 4), 3), ("square", "red", (11, 7), 3)])
    cv2.imwrite(os.path.join(images, "dual_exact.png"), img)


def write_eval(data):
    folder = os.path.join(data, "eval")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(11)
    samples = []
    kinds = ["circle", "square", "triangle"]
    names = list(COLOURS)
    for n in range(6):
        kind, colour = kinds[n % 3], names[n % 4]
        other_kind, other_colour = kinds[(n + 1) % 3], names[(n + 2) % 4]
        a = (int(rng.integers(10, 30)), int(rng.integers(10, 38)))
        b = (int(rng.integers(42, 62)), int(rng.integers(10, 38)))
        img, boxes = draw_scene(48, 72, rng, [(kind, colour, a, 8), (other_kind, other_colour, b, 8)])
        name = "%04d.png" % n
        cv2.imwrite(os.path.join(folder, name), img)
        samples.append({"image": name, "question": "is there a %s %s ?" % (colour, kind),
                        "answer": "yes", "type": "existence", "boxes": [boxes[0]]})
        samples.append({"image": name, "question": "what color is the %s ?" % other_kind,
                        "answer": other_colour, "type": "attribute", "boxes": [boxes[1]]})
    with open(os.path.join(folder, "dataset.json"), "w") as f:
        json.dump({"samples": samples}, f, indent=1)
    return folder, samples


def eval_reference(model_path, folder, samples):
    """Accuracy and the pointing game of rollout and relevance, computed with
    the reference implementation."""
    module, manifest = reference.load_model(model_path)
    correct, hits = 0, {"rollout": 0, "relevance": 0}
    for s in samples:
        ref = reference.compute(model_path, os.path.join(folder, s["image"]), s["question"])
        correct += manifest["labels"][ref["target"]] == s["answer"]
        rows, cols = 4, 6
        for method in hits:
            scores = ref["methods"][method]["patch_scores"]
            best = max(range(len(scores)), key=lambda p: (scores[p], -p))
            cx, cy = (best % cols + 0.5) * 72 / cols, (best // cols + 0.5) * 48 / rows
            hits[method] += any(b[0] <= cx < b[2] and b[1] <= cy < b[3] for b in s["boxes"])
    n = len(samples)
    return {"samples": n, "accuracy": correct / n,
            "pointing_game": {m: h / n for m, h in hits.items()}}


def write_references(data, joint_path, dual_path, late_path):
    """The *.reference.json files: the independent implementation's values for
    a few inputs of each tiny model."""
    cases = {
        "tiny_joint.reference.json": [(joint_path, "images/joint_exact.png", "Is there a RED zebra"),
                                      (joint_path, "images/joint_large.png",
                                       "what colour is the triangle left of the circle ?")],
        "tiny_dual.reference.json": [(dual_path, "images/dual_exact.png", "how many circles")],
        "tiny_late.reference.json": [(late_path, "images/joint_large.png", "is there a blue square")],
    }
    for name, items in cases.items():
        out = []
        for model, image, text in items:
            ref = reference.compute(model, os.path.join(data, image), text)
            ref["model"] = os.path.basename(model)
            ref["image"] = image
            out.append(ref)
        with open(os.path.join(data, name), "w") as f:
            json.dump({"generator": "models/attnscope/reference.py", "cases": out}, f, indent=1)


def write_teaching_reference(data, path="tiny_teach.pt", image="images/joint_exact.png", text="is there a red"):
    """tiny_teach.reference.json: for every map, head and a few queries, the
    teaching step computed here in PyTorch from the queries, keys and values
    the model exports: q.k/sqrt(d) for every key (None where masked), the
    softmax over the unmasked keys, and sum_k w_k v_k."""
    module, manifest = reference.load_model(os.path.join(data, path))
    img, _ = reference.load_image(os.path.join(data, image), manifest["image"])
    ids, mask, special = reference.text_inputs(text, manifest["text"])
    with torch.no_grad():
        _, attentions, extras = reference.forward(module, img, ids, mask)
    layout = reference.stream_layout(manifest)
    cases = []
    for m, spec in enumerate(manifest["attentions"]):
        keys = layout[spec.get("key", spec["query"])]
        masked = [mod == "text" and int(mask[0, k]) == 0 for mod, k in keys]
        q, k, v = (extras["%s.%d" % (name, m)][0] for name in ("q", "k", "v"))
        for head in range(q.shape[0]):
            for query in (0, 7, 26):
                d = q.shape[-1]
                scores = (k[head] @ q[head, query]) / math.sqrt(d)
                live = torch.tensor([not x for x in masked])
                weights = torch.zeros_like(scores)
                weights[live] = torch.softmax(scores[live].double(), 0).float()
                out = weights @ v[head]
                cases.append({"map": m, "head": head, "query": query, "head_width": d,
                              "scores": [None if masked[i] else float(scores[i]) for i in range(len(keys))],
                              "weights": weights.tolist(), "output": out.tolist(),
                              "returned": attentions[m][0, head, query].tolist()})
    with open(os.path.join(data, "tiny_teach.reference.json"), "w") as f:
        json.dump({"generator": "models/attnscope/make_test_data.py (write_teaching_reference)", "model": path,
                   "image": image, "text": text, "cases": cases}, f, indent=1)


def write_teaching_model(data):
    """tiny_teach.pt: TinyJoint's architecture returning its queries, keys and
    values too (attention_inputs), for the teaching view's tests."""
    torch.manual_seed(2468)
    model = TinyTeach(len(JOINT_LABELS)).eval()
    manifest = joint_manifest(JOINT_LABELS)
    manifest["name"] = "tiny-teach"
    manifest["description"] = "Random-weight joint-stream test model that exports its queries, keys and values."
    manifest["attention_inputs"] = {"queries": "q", "keys": "k", "values": "v"}
    path = save_model(data, model, manifest, joint_example(), "tiny_teach.pt")
    # A manifest that promises them on a model that returns none.
    torch.manual_seed(1234)
    plain = TinyJoint(len(JOINT_LABELS)).eval()
    promise = joint_manifest(JOINT_LABELS)
    promise["attention_inputs"] = {"queries": "q", "keys": "k"}
    torch.jit.save(torch.jit.script(plain), os.path.join(data, "broken", "missing_attention_inputs.pt"),
                   _extra_files={"attnscope.json": json.dumps(promise)})
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=paths.TEST_DATA, help="the test data folder (default: tests/data)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--teaching-model-only", action="store_true", help="tiny_teach.pt and its reference")
    only.add_argument("--teaching-reference-only", action="store_true", help="tiny_teach.reference.json")
    only.add_argument("--references-only", action="store_true",
                      help="the *.reference.json of the committed models")
    args = parser.parse_args()
    data = args.data
    if args.teaching_model_only:
        print("wrote", write_teaching_model(data))
        write_teaching_reference(data)
        return 0
    if args.teaching_reference_only:
        write_teaching_reference(data)
        print("wrote the teaching reference to", data)
        return 0
    if args.references_only:
        # The models as committed; only the expected values are recomputed.
        write_references(data, *(os.path.join(data, n) for n in ("tiny_joint.pt", "tiny_dual.pt", "tiny_late.pt")))
        print("wrote the reference values to", data)
        return 0
    os.makedirs(data, exist_ok=True)
    torch.manual_seed(1234)
    joint = TinyJoint(len(JOINT_LABELS)).eval()
    jm = joint_manifest(JOINT_LABELS)
    joint_path = save_model(data, joint, jm, joint_example(), "tiny_joint.pt")
    torch.manual_seed(5678)
    dual = TinyDual(len(DUAL_LABELS)).eval()
    dual_path = save_model(data, dual, dual_manifest(DUAL_LABELS), dual_example(), "tiny_dual.pt")
    torch.manual_seed(91011)
    late = TinyLate(len(DUAL_LABELS)).eval()
    late_path = save_model(data, late, late_manifest(DUAL_LABELS),
                           (torch.randn(2, 3, 8, 12), torch.tensor([[2, 4, 5, 6, 0]] * 2),
                            torch.tensor([[1, 1, 1, 1, 0]] * 2)), "tiny_late.pt")
    write_teaching_model(data)
    write_broken(data, joint, jm)
    write_images(data)

    write_references(data, joint_path, dual_path, late_path)
    write_teaching_reference(data)

    folder, samples = write_eval(data)
    ev = eval_reference(joint_path, folder, samples)
    with open(os.path.join(data, "eval.reference.json"), "w") as f:
        json.dump(ev, f, indent=1)
    shapes_world.write_split("test", 160, os.path.join(data, "shapes_test"))
    print("wrote test data to", data)


if __name__ == "__main__":
    sys.exit(main())
