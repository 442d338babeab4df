"""Re-exports a trained demo model with the current architecture code (for
example after the contract gained attention_inputs), keeping its weights, and
checks that the new archive answers exactly as the old one did.

    PYTHONPATH=models python3 -m attnscope.reexport_zoo --arch single   # models/zoo/shapes_single_stream.pt in place
"""
import argparse
import json
import os
import sys
import tempfile

import torch

from attnscope import export, paths, train_shapes
from attnscope import shapes_models as sm


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arch", choices=list(sm.ARCHITECTURES), required=True)
    parser.add_argument("--path", default=None, help="archive to re-export (default: its place in models/zoo)")
    args = parser.parse_args()
    path = args.path or os.path.join(paths.ZOO, sm.ZOO_NAMES[args.arch])
    files = {"attnscope.json": ""}
    old = torch.jit.load(path, _extra_files=files)
    old.eval()
    # The archive's own manifest, gaining only what the current code adds.
    manifest = json.loads(files["attnscope.json"])
    model = sm.ARCHITECTURES[args.arch]()
    model.load_state_dict(old.state_dict(), strict=True)
    model.eval()
    for key in ("attention_inputs",):
        if key in model.manifest():
            manifest[key] = model.manifest()[key]
    add_cls = args.arch != "single"
    images, index, ids, masks = train_shapes.make_data("validation", 64, add_cls)[:4]
    example = (images[index[:2]], ids[:2], masks[:2])
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(path))) as tmp:
        candidate = os.path.join(tmp, "model.pt")
        export.export(model, manifest, example, candidate)
        # The archive as written, against the archive it replaces.
        new = torch.jit.load(candidate)
        new.eval()
        with torch.no_grad():
            before = old(images[index], ids, masks)[0]
            after = new(images[index], ids, masks)[0]
        difference = float((before - after).abs().max())
        if difference > 1e-5:
            print("the re-exported model answers differently (max logit difference %g); %s left as it was"
                  % (difference, path))
            return 1
        os.replace(candidate, path)
    print("re-exported %s (logits unchanged, max difference %.2g)" % (path, difference))
    return 0


if __name__ == "__main__":
    sys.exit(main())
