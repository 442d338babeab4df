"""Measures a demo model with `attnscope eval` (the C++ path) on Shapes World's
held-out test split and writes its model card beside it (models/zoo/NAME.md).

    PYTHONPATH=models python3 -m attnscope.make_model_card --arch single --binary build/app/attnscope [--count 1000]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from attnscope import paths
from attnscope import shapes_models as sm
from attnscope import shapes_world as world

TITLES = {"single": "Shapes World, single stream (early fusion)",
          "coattention": "Shapes World, co-attention (intermediate fusion)",
          "late": "Shapes World, late fusion with modality gates"}
LOCATION_LOSSES = {
    "single": "location losses ask the hidden states of the words that name an object (half-way up) and of the "
              "decision token (at the top) for those objects' centres - without them spatial questions stayed at "
              "chance.",
    "coattention": "location losses ask the hidden states of the words that name an object (after the first "
                   "co-attention layer) and of the decision token for those objects' centres.",
    "late": "the image summary, which never sees the question, is asked how many objects of each colour and "
            "shape the scene holds and where the single ones are, so that it carries what any question may need; "
            "and the element-wise product where the gated summaries meet (beside the two summaries side by side) "
            "is asked where the two objects of a spatial question are. Spatial questions nonetheless stay at "
            "chance: the answer depends on neither summary alone, and one summary per modality, met only after "
            "both encoders, does not give this head the relation between two objects within the training budget "
            "(given the true scene contents and the question's objects in place of the two summaries, the same "
            "gates, product and head with this loss learn them: 95% after 1,000 steps).",
}
METHOD_NAMES = {"raw": "raw attention (last layer, heads' mean)", "rollout": "attention rollout",
                "relevance": "generic relevance (Chefer et al.)", "gradcam": "gradient-weighted attention"}


# Words that mark a question of each type; the window and the report quote a
# known limit when the question on screen has one of them (in parentheses).
TYPE_WORDS = {"existence": "is there, are there", "attribute": "what colour, what color, what shape",
              "counting": "how many", "spatial": "left of, right of, above, below"}


def known_limits(result, weak=0.75):
    """The card's "Known limits": question types answered worse than `weak`
    on the held-out questions, each with the words that mark such a question."""
    lines = ["## Known limits", ""]
    found = False
    for kind in world.QUESTION_TYPES:
        t = result["accuracy_by_type"].get(kind)
        if t and t["accuracy"] < weak:
            found = True
            lines.append("- %s questions (%s): %.1f%% correct on held-out questions%s." % (
                kind.capitalize(), TYPE_WORDS.get(kind, kind), 100 * t["accuracy"],
                ", at chance" if t["accuracy"] < 0.6 else ""))
    if not found:
        lines.append("- No question type below %d%% on the held-out questions." % int(100 * weak))
    lines.append("- Trained on synthetic Shapes World scenes only: it says nothing about real photos.")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", choices=list(sm.ARCHITECTURES), required=True)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--count", type=int, default=1000, help="test questions")
    parser.add_argument("--zoo", default=paths.ZOO, help="folder of the models and cards")
    args = parser.parse_args()

    model = os.path.join(args.zoo, sm.ZOO_NAMES[args.arch])
    card = model[:-3] + ".md"
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "test")
        world.write_split("test", args.count, data)
        result_path = os.path.join(tmp, "eval.json")
        subprocess.run([args.binary, "eval", "--model", model, "--data", data, "--json", result_path], check=True,
                       stdout=subprocess.DEVNULL)
        with open(result_path) as f:
            result = json.load(f)
    training = {}
    if os.path.exists(model + ".training.json"):
        with open(model + ".training.json") as f:
            training = json.load(f)
    info = json.loads(subprocess.run([args.binary, "info", model, "--json"], check=True, capture_output=True,
                                     text=True).stdout)

    lines = ["# %s" % TITLES[args.arch], "",
             info["description"], "",
             "| | |", "|---|---|",
             "| file | `models/zoo/%s` (%.1f MB) |" % (os.path.basename(model), os.path.getsize(model) / 1e6),
             "| task | classification over %d answers: %s |" % (len(info["labels"]), ", ".join(info["labels"])),
             "| input | %dx%d image (8x8 patches of 8x8 pixels), up to %d words |" % (
                 info["image_size"][0], info["image_size"][1], info["max_text_length"]),
             "| attention maps | %d (%s) |" % (len(info["attentions"]), ", ".join(
                 "%s->%s" % (a["query"], a["key"]) for a in info["attentions"][:6]) + (
                 ", ..." if len(info["attentions"]) > 6 else "")),
             "| heads | %d per map |" % info["attentions"][0]["heads"]]
    if "gates" in info:
        lines.append("| learned gates | %s |" % ", ".join(info["gates"]))
    lines += ["", "## Data", "",
              "Shapes World (`models/attnscope/shapes_world.py`): 192x192 scenes of 2-5 non-overlapping shapes "
              "(circle, square, triangle) in five colours and two sizes, with thin grey clutter lines, dots and "
              "pixel noise; questions of four types: existence, attribute (colour of a shape, shape of a colour), "
              "counting (0-4) and spatial relation (left of, right of, above, below), in equal shares in the "
              "validation and test splits (training cycles through its `--mix`). Every question records the boxes "
              "of the objects it refers to. Training draws fresh scenes every epoch; validation and test splits have "
              "their own seeds. Training-only losses, none of them exported and none supervising an attention map: "
              "a per-patch loss teaches the image tokens which colour and shape covers each patch; %s"
              % LOCATION_LOSSES[args.arch], "",
              "## Training", "",
              "```sh", "PYTHONPATH=models python3 -m attnscope.train_shapes --arch %s%s" % (args.arch, "".join(
                  " --%s %s" % (k.replace("_", "-"), v) for k, v in training.get("args", {}).items()
                  if k in ("epochs", "per_epoch", "batch", "lr", "mix", "minutes")
                  or (k == "threads" and v != 2))), "```", ""]
    if training:
        history = training["history"]
        threads = training["args"].get("threads", 2)
        lines += ["%d epochs of %d questions in %.0f minutes with %d PyTorch thread%s on a 2-core machine; best "
                  "validation accuracy %.1f%%." % (
                      len(history), training["args"]["per_epoch"], training.get("minutes", 0) or 0, threads,
                      "" if threads == 1 else "s", 100 * training["best_validation"]), ""]
    lines += ["## Test accuracy (`attnscope eval`, %d held-out questions)" % result["samples"], "",
              "| question type | accuracy |", "|---|---|"]
    for kind in world.QUESTION_TYPES:
        t = result["accuracy_by_type"].get(kind)
        if t:
            lines.append("| %s | %.1f%% (%d/%d) |" % (kind, 100 * t["accuracy"], t["correct"], t["total"]))
    lines.append("| **all** | **%.1f%%** |" % (100 * result["accuracy"]))
    lines += [""] + known_limits(result)
    lines += ["", "## Explanation methods, side by side", "",
              "Pointing game: the highest-scoring patch's centre lies in a box of an object the question refers to "
              "(questions with boxes; existence questions answered \"yes\" separately). Perturbation: image patches "
              "removed (set to the mean colour) in order of the method's scores, most relevant first (positive: "
              "lower AUC is more faithful) or least relevant first (negative: higher is more faithful).", "",
              "| method | pointing game | pointing, existence \"yes\" | positive AUC | negative AUC |",
              "|---|---|---|---|---|"]
    for name, m in result["methods"].items():
        yes = m["pointing_by_type"].get("existence:yes", {})
        lines.append("| %s | %.1f%% | %s | %.3f | %.3f |" % (
            METHOD_NAMES.get(name, name), 100 * m["pointing_game"],
            "%.1f%% (%d)" % (100 * yes["pointing_game"], yes["total"]) if yes else "-",
            m["positive_auc"], m["negative_auc"]))
    lines += ["", "Reproduce: `PYTHONPATH=models python3 -m attnscope.make_model_card --arch %s "
                  "--binary build/app/attnscope --count %d`" % (args.arch, args.count), ""]
    with open(card, "w") as f:
        f.write("\n".join(lines))
    print("wrote", card)
    print("\n".join(lines[-12:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
