#!/usr/bin/python3
"""Re-exports a trained demo model with the current architecture code (for
example after the contract gained attention_inputs), keeping its weights, and
checks that the new archive answers exactly as the old one did.

    models/reexport_zoo.py --arch single      # models/zoo/shapes_single_stream.pt in place
"""
import argparse
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import attnscope_export  # noqa: E402
import shapes_models as sm  # noqa: E402
import train_shapes  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", choices=list(sm.ARCHITECTURES), required=True)
    parser.add_argument("--path", default=None, help="archive to re-export (default: its place in models/zoo)")
    args = parser.parse_args()
    path = args.path or os.path.join(HERE, "zoo", sm.ZOO_NAMES[args.arch])
    old = torch.jit.load(path)
    old.eval()
    model = sm.ARCHITECTURES[args.arch]()
    model.load_state_dict(old.state_dict(), strict=True)
    model.eval()
    add_cls = args.arch != "single"
    images, index, ids, masks = train_shapes.make_data("validation", 64, add_cls)[:4]
    with torch.no_grad():
        before = old(images[index], ids, masks)[0]
        after = model(images[index], ids, masks)[0]
    difference = float((before - after).abs().max())
    if difference > 1e-5:
        print("the re-built model answers differently (max logit difference %g); not written" % difference)
        return 1
    example = (images[index[:2]], ids[:2], masks[:2])
    attnscope_export.export(model, model.manifest(), example, path)
    print("re-exported %s (logits unchanged, max difference %.2g)" % (path, difference))
    return 0


if __name__ == "__main__":
    sys.exit(main())
