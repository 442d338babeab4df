"""Tests of the export helper. Exports a model built from nn.TransformerEncoder
and one with hand-written attention, checks them, and has the attnscope binary
(ATTNSCOPE_BINARY) load and explain both.

    ATTNSCOPE_BINARY=build/app/attnscope PYTHONPATH=models python3 -m unittest -v attnscope.tests.test_export
"""
import json
import os
import subprocess
import tempfile
import unittest

import cv2
import numpy as np
import torch
import torch.nn as nn

from attnscope import export
from attnscope.testmodels import VOCAB, TinyJoint, joint_manifest

BINARY = os.environ.get("ATTNSCOPE_BINARY")


class EncoderVqa(nn.Module):
    """A ViLT-like model as a PyTorch user writes it: nn.TransformerEncoder over
    [CLS], image patches and words, with a key padding mask."""

    def __init__(self, labels=4, dim=32, heads=4, layers=2, patch=4, image=(16, 24), max_len=6):
        super().__init__()
        self.patch = patch
        self.grid = (image[0] // patch, image[1] // patch)
        self.proj = nn.Linear(3 * patch * patch, dim)
        self.pos = nn.Parameter(torch.randn(1, self.grid[0] * self.grid[1], dim) * 0.1)
        self.tokens = nn.Embedding(len(VOCAB), dim)
        self.cls = nn.Parameter(torch.randn(1, 1, dim))
        layer = nn.TransformerEncoderLayer(dim, heads, dim_feedforward=2 * dim, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.head = nn.Linear(dim, labels)

    def forward(self, image, input_ids, attention_mask):
        b, p = image.shape[0], self.patch
        x = image.unfold(2, p, p).unfold(3, p, p).permute(0, 2, 3, 1, 4, 5).reshape(b, -1, 3 * p * p)
        x = torch.cat([self.cls.expand(b, -1, -1), self.proj(x) + self.pos, self.tokens(input_ids)], 1)
        pad = torch.cat([torch.zeros(b, 1 + x.shape[1] - 1 - input_ids.shape[1], dtype=torch.bool),
                         attention_mask == 0], 1)
        return self.head(self.encoder(x, src_key_padding_mask=pad)[:, 0])


def encoder_manifest():
    m = joint_manifest(["yes", "no", "red", "blue"], name="encoder-vqa")
    m["description"] = "nn.TransformerEncoder test model exported with AttentionRecorder."
    return m


def example():
    torch.manual_seed(0)
    return (torch.randn(2, 3, 16, 24), torch.tensor([[4, 5, 6, 8, 13, 0]] * 2),
            torch.tensor([[1, 1, 1, 1, 1, 0]] * 2))


class ExportHelperTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.image = os.path.join(self.dir.name, "image.png")
        rng = np.random.default_rng(1)
        cv2.imwrite(self.image, rng.integers(0, 255, size=(32, 48, 3), dtype=np.uint8))

    def tearDown(self):
        self.dir.cleanup()

    def explain_with_binary(self, path):
        if not BINARY:
            self.skipTest("ATTNSCOPE_BINARY is not set")
        info = subprocess.run([BINARY, "info", path], capture_output=True, text=True)
        self.assertEqual(info.returncode, 0, info.stderr)
        self.assertIn("valid:       yes", info.stdout)
        out = os.path.join(self.dir.name, "out")
        run = subprocess.run([BINARY, "explain", "--model", path, "--image", self.image, "--text",
                              "is there a red circle", "--out", out], capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        with open(os.path.join(out, "explanation.json")) as f:
            result = json.load(f)
        for method in ("raw", "rollout", "relevance", "gradcam"):
            self.assertEqual(len(result["methods"][method]["patch_scores"]), 24, method)
        self.assertTrue(os.path.getsize(os.path.join(out, "relevance.png")) > 0)
        return result

    def test_recorder_keeps_the_models_results(self):
        torch.manual_seed(3)
        model = EncoderVqa().eval()
        inputs = example()
        with torch.no_grad():
            before = model(*inputs)
        wrapped = export.AttentionRecorder(model)
        self.assertEqual(wrapped.attention_names(), ["encoder.layers.0.self_attn", "encoder.layers.1.self_attn"])
        logits, attentions = wrapped(*inputs)
        torch.testing.assert_close(logits, before, rtol=1e-5, atol=1e-5)
        self.assertEqual(tuple(attentions[0].shape), (2, 4, 31, 31))
        torch.testing.assert_close(attentions[1].sum(-1), torch.ones(2, 4, 31))
        self.assertTrue(torch.all(attentions[0][:, :, :, -1] == 0))  # the padded word gets no attention

    def test_exports_transformer_encoder_model(self):
        torch.manual_seed(3)
        path = os.path.join(self.dir.name, "encoder.pt")
        export.export(export.AttentionRecorder(EncoderVqa()), encoder_manifest(), example(), path)
        extra = {"attnscope.json": ""}
        torch.jit.load(path, _extra_files=extra)
        self.assertEqual(json.loads(extra["attnscope.json"])["name"], "encoder-vqa")
        result = self.explain_with_binary(path)
        self.assertEqual(result["model"]["name"], "encoder-vqa")

    def test_exports_hand_written_attention_model(self):
        torch.manual_seed(4)
        path = os.path.join(self.dir.name, "joint.pt")
        export.export(TinyJoint(8), joint_manifest(["l%d" % i for i in range(8)]), example(), path)
        self.explain_with_binary(path)

    def test_rejects_wrong_attention_count(self):
        manifest = encoder_manifest()
        manifest["attentions"] = manifest["attentions"][:1]
        with self.assertRaisesRegex(export.ContractError, "declares 1 attention maps, the model returns 2"):
            export.export(export.AttentionRecorder(EncoderVqa()), manifest, example(),
                                    os.path.join(self.dir.name, "bad.pt"))

    def test_rejects_model_without_attention(self):
        with self.assertRaisesRegex(export.ContractError, "no nn.MultiheadAttention"):
            export.AttentionRecorder(nn.Linear(3, 3))



class ResearchCodeExportTest(unittest.TestCase):
    """Contract version 2 from research code: the recorder on named modules,
    and the written archive opened by AttnScope itself, whose refusals come
    back as ContractError (one bad case per kind of rule)."""

    def setUp(self):
        if not BINARY:
            self.skipTest("ATTNSCOPE_BINARY is not set")
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "model.pt")

    def tearDown(self):
        self.dir.cleanup()

    def vit(self, fused=False):
        from attnscope.research_style import VitLike
        torch.manual_seed(5)
        model = VitLike(3, img_size=(24, 32), patch_size=8, dim=24, depth=2, num_heads=2, reg_tokens=2)
        model.blocks[0].attn.fused_attn = fused
        return model

    def export_vit(self, manifest, **options):
        from attnscope import make_research_test_data as research
        wrapped = export.AttentionRecorder(self.vit(), modules="blocks.*.attn.attn_drop")
        export.export(wrapped, manifest or research.vit_manifest(), (torch.randn(2, 3, 24, 32),), self.path, **options)

    def test_timm_style_vit_exports_unchanged(self):
        model = self.vit(fused=True)
        with self.assertWarnsRegex(UserWarning, "fused attention"):
            wrapped = export.AttentionRecorder(model, modules="blocks.*.attn.attn_drop")
        self.assertFalse(model.blocks[0].attn.fused_attn)
        self.assertEqual(wrapped.attention_names(), ["blocks.0.attn.attn_drop", "blocks.1.attn.attn_drop"])
        x = torch.randn(1, 3, 24, 32)
        logits, maps = wrapped(x)
        self.assertTrue(torch.equal(logits, model(x)))  # the model's own answer, unchanged
        self.assertEqual(tuple(maps[0].shape), (1, 2, 15, 15))
        self.export_vit(None)
        info = subprocess.run([BINARY, "info", self.path], capture_output=True, text=True)
        self.assertEqual(info.returncode, 0, info.stderr)
        self.assertEqual(os.stat(self.path).st_mode & 0o777, 0o666 & ~self.umask())

    @staticmethod
    def umask():
        mask = os.umask(0)
        os.umask(mask)
        return mask

    def test_no_module_of_that_name(self):
        with self.assertRaisesRegex(export.ContractError, "no module of the model is named like blocks.\\*.attn.drop"):
            export.AttentionRecorder(self.vit(), modules="blocks.*.attn.drop")

    def refused(self, edit, message, **options):
        from attnscope import make_research_test_data as research
        manifest = research.vit_manifest()
        edit(manifest)
        with self.assertRaisesRegex(export.ContractError, message):
            self.export_vit(manifest, **options)
        self.assertFalse(os.path.exists(self.path))  # nothing AttnScope would refuse is left behind
        self.assertEqual([f for f in os.listdir(self.dir.name)], [])

    def test_attnscope_refusals_become_contract_errors(self):
        self.refused(lambda m: m["decision"].update(index=99), "AttnScope refuses the archive: .*'decision.index' is past")
        self.refused(lambda m: m["image"].update(resize="crop"), "'image.resize' must be")
        self.refused(lambda m: m.update(text={"tokenizer": "wordpiece", "file": "vocab.txt", "max_length": 4}),
                     "'inputs' has no \"input_ids\"")
        self.refused(lambda m: m["streams"][0]["segments"][2].update(grid=[4, 3]), "attention map 0|grid")
        self.refused(lambda m: m.update(inputs=["image", "pixel_mask"]), "manifest 'inputs' names \"pixel_mask\"")
        self.refused(lambda m: m.update(inputs=["image", "input_ids"]), "2 inputs")

    def test_tokenizer_file_must_be_stored(self):
        from attnscope import make_research_test_data as research
        from attnscope.research_style import BertLike
        torch.manual_seed(6)
        wrapped = export.AttentionRecorder(BertLike(len(research.BERT_VOCAB), 2, max_positions=16),
                                           modules="bert.encoder.layer.*.attention.self.dropout")
        ids = torch.randint(0, len(research.BERT_VOCAB), (2, 16))
        example = (ids, torch.ones(2, 16, dtype=torch.long), torch.zeros(2, 16, dtype=torch.long))
        with self.assertRaisesRegex(export.ContractError, "the archive holds no such file"):
            export.export(wrapped, research.bert_manifest(), example, self.path)
        export.export(wrapped, research.bert_manifest(), example, self.path,
                      files={"vocab.txt": "\n".join(research.BERT_VOCAB) + "\n"})
        tokens = subprocess.run([BINARY, "tokenize", "--model", self.path, "--text", "playing", "--json"],
                                capture_output=True, text=True)
        self.assertEqual(json.loads(tokens.stdout)["tokens"][:4], ["[CLS]", "play", "##ing", "[SEP]"])


if __name__ == "__main__":
    unittest.main()
