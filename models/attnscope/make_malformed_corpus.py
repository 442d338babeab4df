"""Writes AttnScope's corpus of malformed and unusual inputs, and the fuzzers'
seed corpora.

tests/data/malformed/
    images/    files that must be refused (each with the error it must give)
               and odd but valid images (each with the pixels it must give)
    models/    models that must be refused (besides tests/data/broken/)
    texts/     texts a model must read safely (each with its word counts)
    sessions/  session files that must be refused
    expected.json  what each input must produce; read by tst_malformed (the
               GUI) and tst_cli (the command line)
    tokens.expected.json  what the Python tokenizer (attnscope.tokenizer)
               makes of each text with the text model's manifest; read by
               tst_tokenizer, which has the C++ tokenizer agree with it
tests/fuzz/corpus/<harness>/  seeds for the libFuzzer harnesses

The expected pixels come from the arrays the images were made from (and PIL
for the EXIF orientations), never from AttnScope. Seeded: every run writes
the same files.

    PYTHONPATH=models python3 -m attnscope.make_malformed_corpus [--data tests/data] [--fuzz tests/fuzz/corpus]

--data is where the test data is read (tiny_joint.pt) and the corpus written
(DATA/malformed); a copy of tests/data in a temporary folder leaves the
committed corpus alone.

Making the images needs PIL (Debian's python3-pil), a dependency of this
tool only: nothing else, the tests included, imports it.
"""
import argparse
import io
import json
import os
import shutil
import struct
import sys
import zlib

from typing import List

import numpy as np
import torch

from attnscope import paths, tokenizer

TEXT_MODEL = "tiny_joint.pt"

RED, GREEN, BLUE, YELLOW, WHITE = (220, 30, 30), (30, 200, 60), (40, 60, 230), (240, 220, 40), (255, 255, 255)


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_header_only(width, height):
    """A PNG whose header claims width x height RGB pixels, with a few rows of
    real image data: a decompression bomb's header without its bulk."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + 3 * 64) * 4)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", rows) + png_chunk(b"IEND", b"")


def jpeg_header_only(width, height):
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"".join(struct.pack(">BBB", i + 1, 0x11, 0) for i in range(3))
    return b"\xff\xd8" + b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof + b"\xff\xd9"


def quadrants(width, height):
    """Red, green, blue, yellow quadrants (top left, top right, bottom left,
    bottom right): every orientation of it looks different."""
    a = np.zeros((height, width, 3), np.uint8)
    a[: height // 2, : width // 2] = RED
    a[: height // 2, width // 2:] = GREEN
    a[height // 2:, : width // 2] = BLUE
    a[height // 2:, width // 2:] = YELLOW
    return a


def samples(rgb, points):
    """[[x, y, [r, g, b]], ...] at the given points of an RGB array."""
    return [[int(x), int(y), [int(v) for v in rgb[y, x]]] for x, y in points]


def centres(width, height):
    return [(width // 4, height // 4), (3 * width // 4, height // 4), (width // 4, 3 * height // 4),
            (3 * width // 4, 3 * height // 4)]


def encode(image, fmt, **kwargs):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def over_white(rgb, alpha):
    a = alpha.astype(np.float64)[..., None] / 255.0
    return np.clip(rgb.astype(np.float64) * a + 255.0 * (1.0 - a), 0, 255).round().astype(np.uint8)


def images():
    """(name, bytes, expectation) for every image of the corpus."""
    from PIL import Image, ImageOps

    out = []
    rng = np.random.default_rng(6)
    upright = quadrants(48, 32)
    good_png = encode(Image.fromarray(upright), "PNG")
    good_jpeg = encode(Image.fromarray(upright), "JPEG", quality=95)

    # Refused, each with its message.
    out.append(("empty.png", b"", {"error": "the image file is empty"}))
    out.append(("truncated.png", good_png[: len(good_png) // 2], {"error": "the PNG file is truncated"}))
    big_jpeg = encode(Image.fromarray(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)), "JPEG", quality=90)
    out.append(("truncated.jpg", big_jpeg[: len(big_jpeg) * 2 // 3], {"error": "the JPEG file is truncated"}))
    out.append(("text_file.png", b"This is a note, not a picture.\nSaved with the wrong name.\n",
                {"error": "is a text file, not an image"}))
    noise = bytearray(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    noise[0:2] = b"\x00\x01"  # no image format starts so
    out.append(("random_bytes.png", bytes(noise), {"error": "is not an image in a format AttnScope can read"}))
    out.append(("bomb.png", png_header_only(50000, 50000), {"error": "the image claims 50000x50000 pixels"}))
    out.append(("bomb.jpg", jpeg_header_only(50000, 50000), {"error": "the image claims 50000x50000 pixels"}))
    out.append(("bomb.gif", b"GIF89a" + struct.pack("<HHBBB", 50000, 50000, 0, 0, 0) + b";",
                {"error": "the image claims 50000x50000 pixels"}))
    bmp = bytearray(encode(Image.fromarray(upright), "BMP"))
    bmp[18:26] = struct.pack("<ii", 50000, 50000)
    out.append(("bomb.bmp", bytes(bmp), {"error": "the image claims 50000x50000 pixels"}))
    gif = bytearray(encode(Image.fromarray(upright).quantize(colors=4), "GIF"))
    cut = gif[: len(gif) - 12]
    out.append(("truncated.gif", bytes(cut), {"error": "the GIF file is truncated"}))
    zero = bytearray(good_png)
    zero[16:20] = struct.pack(">I", 0)
    out.append(("zero_width.png", bytes(zero), {"error": "the PNG header says the image is 0x32 pixels"}))
    # A TIFF whose first directory gives the width twice: 32, then 50,000 (a
    # check reading one and a decoder allocating by the other).
    entries = [(256, 3, 1, 32), (256, 4, 1, 50000), (257, 3, 1, 32), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 2)]
    tiff = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        tiff += struct.pack("<HHII", tag, kind, count, value)
    tiff += struct.pack("<I", 0)
    out.append(("duplicate_width.tiff", tiff, {"error": "the TIFF header gives the image's width twice (32 and 50000)"}))

    # Odd but valid: each must open with these pixels.
    def ok(name, data, rgb, points=None, tolerance=0):
        h, w = rgb.shape[:2]
        out.append((name, data, {"size": [w, h], "pixels": samples(rgb, points or centres(w, h)),
                                 "tolerance": tolerance}))

    one = np.array([[[12, 34, 56]]], np.uint8)
    ok("one_pixel.png", encode(Image.fromarray(one), "PNG"), one, [(0, 0)])
    ok("wrong_extension.png", good_jpeg, upright, tolerance=12)  # a JPEG named .png: read by its content
    deep = (rng.integers(0, 65536, (16, 16, 3))).astype(np.uint16)
    ok_deep = np.round(deep.astype(np.float64) / 257.0).astype(np.uint8)
    import cv2  # writes 16-bit colour PNGs, which PIL cannot
    _, deep_png = cv2.imencode(".png", deep[..., ::-1])
    ok("sixteen_bit.png", deep_png.tobytes(), ok_deep, [(0, 0), (5, 7), (15, 15), (9, 2)])
    grey = rng.integers(0, 256, (20, 30), dtype=np.uint8)
    ok("grey.png", encode(Image.fromarray(grey, "L"), "PNG"), np.repeat(grey[..., None], 3, 2),
       [(0, 0), (29, 19), (11, 7)])
    alpha = np.zeros((32, 48), np.uint8)
    alpha[:, 24:] = 255
    alpha[:16, :24] = 128
    rgba = np.dstack([upright, alpha])
    ok("alpha.png", encode(Image.fromarray(rgba, "RGBA"), "PNG"), over_white(upright, alpha))
    grey_alpha = np.dstack([grey, np.full_like(grey, 64)])
    ok("grey_alpha.png", encode(Image.fromarray(grey_alpha, "LA"), "PNG"),
       over_white(np.repeat(grey[..., None], 3, 2), grey_alpha[..., 1]), [(0, 0), (29, 19), (11, 7)])
    palette_image = Image.fromarray(upright).quantize(colors=4, method=Image.Quantize.MEDIANCUT)
    ok("palette.png", encode(palette_image, "PNG"), upright)
    cmyk = Image.fromarray(upright).convert("CMYK")
    ok("cmyk.jpg", encode(cmyk, "JPEG", quality=95), np.array(cmyk.convert("RGB")), tolerance=16)
    ok("lossless.webp", encode(Image.fromarray(upright), "WEBP", lossless=True), upright)
    ok("image.tiff", encode(Image.fromarray(upright), "TIFF"), upright)
    ok("image.bmp", encode(Image.fromarray(upright), "BMP"), upright)

    # GIFs: the first frame of an animation; transparency and interlacing.
    # Adaptive palettes keep these few colours exactly.
    def paletted(rgb, colours=4):
        return Image.fromarray(rgb).quantize(colors=colours, method=Image.Quantize.MEDIANCUT)

    frames = [paletted(np.full((24, 36, 3), c, np.uint8)) for c in (RED, BLUE, GREEN)]
    ok("animated.gif", encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0),
       np.full((24, 36, 3), RED, np.uint8))
    holes = np.array(upright)
    holes[8:24, 12:36] = (1, 2, 3)  # the transparent colour
    pal = Image.fromarray(holes).quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    index = pal.getpixel((20, 16))
    shown = np.array(upright)
    shown[8:24, 12:36] = WHITE
    ok("transparent_interlaced.gif", encode(pal, "GIF", transparency=index, interlace=True), shown,
       [(2, 2), (46, 2), (20, 16), (2, 30), (46, 30), (30, 10)])
    big = np.kron(quadrants(4, 4), np.ones((40, 40, 1), np.uint8))  # 160 x 160, interlacing spans many rows
    ok("large_interlaced.gif", encode(paletted(big), "GIF", interlace=True), big,
       centres(160, 160) + [(0, 0), (159, 159), (80, 81)])

    # EXIF orientations 2-8: stored so that a viewer turning them upright
    # shows `upright`. PIL's exif_transpose confirms each file independently.
    inverse = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
               4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90,
               7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}
    for orientation, transform in inverse.items():
        stored = Image.fromarray(upright).transpose(transform)
        exif = Image.Exif()
        exif[0x0112] = orientation
        data = encode(stored, "JPEG", quality=95, exif=exif.tobytes())
        check = np.array(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")).astype(int)
        assert check.shape == upright.shape, orientation
        for x, y in centres(48, 32):
            assert np.abs(check[y, x] - upright[y, x]).max() <= 12, (orientation, x, y)
        ok("exif_orientation_%d.jpg" % orientation, data, upright, tolerance=12)
    out.append(big_sixteen_bit_rgba())
    return out


def big_sixteen_bit_rgba(width=5000, height=4000):
    """A legal 20-megapixel 16-bit RGBA PNG (160 MB once decoded; the issue's
    100-megapixel one exhausted memory in the conversion): four quadrants, the
    right half at half opacity. Expected pixels by the documented arithmetic:
    8 bits = round(v / 257), alpha over white = round((c a + 255 (255 - a)) / 255)."""
    colours = [(52000, 9000, 1000), (1000, 50000, 20000), (3000, 6000, 60000), (61000, 58000, 2000)]
    rgba = np.zeros((height, width, 4), dtype=np.uint16)
    h2, w2 = height // 2, width // 2
    for k, (y0, x0) in enumerate([(0, 0), (0, w2), (h2, 0), (h2, w2)]):
        rgba[y0:y0 + h2, x0:x0 + w2, :3] = colours[k]
    rgba[:, :w2, 3] = 65535
    rgba[:, w2:, 3] = 32896  # 128 in 8 bits
    ok_png = cv2_png(rgba)

    def expect(v16, a16):
        c, a = (v16 + 128) // 257, (a16 + 128) // 257
        return (c * a + 255 * (255 - a) + 127) // 255

    points = []
    for x, y in [(10, 10), (width - 10, 10), (10, height - 10), (width - 10, height - 10), (w2 - 1, h2 - 1)]:
        r, g, b, a = (int(v) for v in rgba[y, x])
        points.append([x, y, [expect(r, a), expect(g, a), expect(b, a)]])
    return ("big_sixteen_bit_rgba.png", ok_png, {"size": [width, height], "pixels": points, "tolerance": 1})


def cv2_png(rgba16):
    """16-bit RGBA (RGB order) as a PNG, written with OpenCV (PIL writes no
    16-bit RGBA); OpenCV takes BGRA."""
    import cv2
    bgra = rgba16[:, :, [2, 1, 0, 3]]
    ok, data = cv2.imencode(".png", bgra, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    assert ok
    return data.tobytes()


class OnPhotos(torch.nn.Module):
    """Fine on AttnScope's probe input (an all-zero image), wrong on any
    real image: `mode` 0 NaN maps, 1 rows summing to 0.5, 2 negative weights
    (rows still summing to 1), 3 NaN logits."""

    def __init__(self, inner, mode: int):
        super().__init__()
        self.inner = inner
        self.mode = mode

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        logits, attentions = self.inner(image, input_ids, attention_mask)
        if not bool(image.abs().sum() > 0):
            return logits, attentions
        if self.mode == 3:
            return logits * float("nan"), attentions
        out: List[torch.Tensor] = []
        for a in attentions:
            if self.mode == 0:
                out.append(a * float("nan"))
            elif self.mode == 1:
                out.append(a * 0.5)
            else:
                out.append(2.0 * a - 1.0 / a.shape[-1])
        return logits, out


class NeverReturns(torch.nn.Module):
    """Returns on the probe input; on a real image its forward loops for ever."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        x = image.abs().sum()
        while bool(x > 0):
            x = x + 1.0
        return self.inner(image, input_ids, attention_mask)


class NeverReturnsUnchecked(torch.nn.Module):
    """Like NeverReturns, but loops on plain integers: TorchScript runs those
    in its interpreter, not as LibTorch operators, so no cancel check inside
    an operator reaches it (the window must give up on the thread)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        n = int(bool(image.abs().sum() > 0))
        while n > 0:
            n = (n + 1) % 1000000 + 1
        return self.inner(image, input_ids, attention_mask)


def rewritten(zip_bytes, change):
    """The archive with each entry passed through change(name, data) -> (data, compress)."""
    import zipfile
    src = zipfile.ZipFile(io.BytesIO(zip_bytes))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            data, compress = change(info.filename, src.read(info.filename))
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
    return buffer.getvalue()


class InfiniteLogits(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        logits, attentions = self.inner(image, input_ids, attention_mask)
        return logits + float("inf"), attentions


class OutOfMemory(torch.nn.Module):
    """Fails as a forward pass does when CUDA runs out of memory."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, image: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        if image.shape[1] == 3:
            raise RuntimeError("CUDA out of memory. Tried to allocate 20.00 GiB (GPU 0; 79.00 GiB total capacity)")
        return self.inner(image, input_ids, attention_mask)


def models(data):
    """(name, expectation) of every model of the corpus; new ones are written
    to malformed/models, the older broken models are referenced in place."""
    folder = os.path.join(data, "malformed", "models")
    rng = np.random.default_rng(9)
    write(os.path.join(folder, "random_bytes.pt"), rng.integers(0, 256, 8192, dtype=np.uint8).tobytes())
    files = {"attnscope.json": ""}
    tiny = torch.jit.load(os.path.join(data, TEXT_MODEL), _extra_files=files)
    torch.jit.save(torch.jit.script(InfiniteLogits(tiny)), os.path.join(folder, "infinite_logits.pt"),
                   _extra_files={"attnscope.json": files["attnscope.json"]})
    torch.jit.save(torch.jit.script(OutOfMemory(tiny)), os.path.join(folder, "out_of_memory.pt"),
                   _extra_files={"attnscope.json": files["attnscope.json"]})
    with open(os.path.join(data, TEXT_MODEL), "rb") as f:
        whole = f.read()
    write(os.path.join(folder, "truncated_end.pt"), whole[:-100])  # the zip's directory is gone
    extra = {"attnscope.json": files["attnscope.json"]}
    for mode, name in enumerate(["nan_maps_on_photos.pt", "half_rows_on_photos.pt", "negative_on_photos.pt",
                                 "nan_logits_on_photos.pt"]):
        torch.jit.save(torch.jit.script(OnPhotos(tiny, mode)), os.path.join(folder, name), _extra_files=extra)
    torch.jit.save(torch.jit.script(NeverReturns(tiny)), os.path.join(folder, "never_returns.pt"), _extra_files=extra)
    torch.jit.save(torch.jit.script(NeverReturnsUnchecked(tiny)), os.path.join(folder, "never_returns_unchecked.pt"),
                   _extra_files=extra)
    # The manifest padded with 100 MB of JSON whitespace and deflated: a
    # small archive whose manifest inflates far past any real one.
    write(os.path.join(folder, "inflating_manifest.pt"),
          rewritten(whole, lambda name, data: (data + b" " * (100 << 20), True) if name.endswith("/extra/attnscope.json")
                    else (data, False)))
    # One byte of a stored weight changed, its CRC-32 left as written.
    import zipfile
    info = next(i for i in zipfile.ZipFile(io.BytesIO(whole)).infolist() if "/data/" in i.filename and i.file_size > 64)
    name_length, extra_length = struct.unpack("<HH", whole[info.header_offset + 26:info.header_offset + 30])
    at = info.header_offset + 30 + name_length + extra_length + 17
    stale = bytearray(whole)
    stale[at] ^= 0x40
    write(os.path.join(folder, "stale_crc.pt"), bytes(stale))

    manifest = json.loads(files["attnscope.json"])

    def with_manifest(name, change):
        m = json.loads(json.dumps(manifest))
        change(m)
        torch.jit.save(tiny, os.path.join(folder, name), _extra_files={"attnscope.json": json.dumps(m)})

    with_manifest("huge_input.pt", lambda m: m["image"].update(size=[8192, 8192]))
    with_manifest("overflowing_segment.pt", lambda m: m["streams"][0]["segments"][0].update(length=1000000000))
    # 500 words more than the embedding, first: every word's id lies past the
    # table, so the first run (AttnScope opens a model without a probe) says so.
    with_manifest("vocabulary_beyond_embedding.pt",
                  lambda m: m["text"].update(vocab=["extra%d" % k for k in range(500)] + m["text"]["vocab"]))
    return [
        ("malformed/models/random_bytes.pt", "is not a TorchScript model archive"),
        ("malformed/models/infinite_logits.pt", "non-finite logits (NaN or infinity)"),
        ("malformed/models/out_of_memory.pt", "CUDA out of memory. Tried to allocate 20.00 GiB"),
        ("malformed/models/truncated_end.pt", "is not a TorchScript model archive (its zip directory is missing"),
        ("broken/empty.pt", "the model file is empty"),
        ("broken/not_a_model.pt", "is not a TorchScript model archive"),
        ("broken/truncated.pt", "is not a TorchScript model archive (its zip directory is missing"),
        ("broken/no_manifest.pt", "has no AttnScope manifest"),
        ("broken/bad_json.pt", "manifest attnscope.json: line 1, column 26"),
        ("broken/missing_decision.pt", "manifest field 'decision' is missing"),
        ("broken/wrong_attention_count.pt", "declares 3 attention maps but the model returned 2"),
        ("broken/wrong_grid.pt", "2, 31, 31] but the manifest's streams need ["),
        ("broken/wrong_labels.pt", "8] but the manifest's 3 labels need ["),
        ("broken/not_softmax.pt", "rows that do not sum to 1"),
        ("broken/logits_only.pt", "forward must return a tuple (logits, attentions[, extras])"),
        ("broken/forward_throws.pt", "this model refuses every input"),
        ("broken/nan_logits.pt", "non-finite logits (NaN or infinity)"),
        ("malformed/models/nan_maps_on_photos.pt", "holds non-finite values (NaN or infinity) on this input"),
        ("malformed/models/half_rows_on_photos.pt", "has rows that do not sum to 1 on this input"),
        ("malformed/models/negative_on_photos.pt", "holds negative values on this input"),
        ("malformed/models/nan_logits_on_photos.pt", "non-finite logits (NaN or infinity) on this input"),
        ("malformed/models/inflating_manifest.pt", "its manifest (attnscope.json) would take 100 MB once unpacked"),
        ("malformed/models/stale_crc.pt", "have changed since it was written (its CRC-32 does not match)"),
        ("malformed/models/huge_input.pt", "asks for 8192x8192 pixels; AttnScope takes models of at most 4096"),
        ("malformed/models/overflowing_segment.pt", "is 1000000000 tokens; AttnScope explains at most 16384"),
        ("malformed/models/vocabulary_beyond_embedding.pt", "past the end of the model's embedding table"),
    ]


def text_model_manifest(data):
    """The manifest of the model the texts are read with (tiny_joint.pt)."""
    files = {"attnscope.json": ""}
    torch.jit.load(os.path.join(data, TEXT_MODEL), _extra_files=files)
    return json.loads(files["attnscope.json"])


def texts(text_spec):
    """(name, bytes, expectation) of every text of the corpus; the word counts
    are what AttnScope's tokenizer, as attnscope.tokenizer implements it,
    reads with `text_spec`."""
    cases = [
        ("empty.txt", b""),
        ("whitespace.txt", b" \t\n\r\n   \t "),
        ("ten_thousand.txt", (b"is there a red circle ? " * 417)[:10000]),
        ("invalid_utf8.txt", b"is there a \xff\xfe red \xc3\x28 circle \xed\xa0\x80 ?"),
        ("emoji.txt", "is there a \U0001F534 red circle \U0001F600 ?".encode()),
        ("right_to_left.txt", "is there a \u05e2\u05d9\u05d2\u05d5\u05dc \u0623\u062d\u0645\u0631 \u202e red circle ?"
         .encode()),
        ("control_characters.txt", b"is\x01there\x07a\x1bred\x7f circle\x0b?\x00end"),
    ]
    words = tokenizer.create(text_spec)
    out = []
    for name, data in cases:
        t = words.encode(data)
        out.append((name, data, {"words": t.word_count, "dropped": t.dropped_words}))
    # Past the 1 MB every reader of text stops at.
    out.append(("over_a_megabyte.txt", (b"is there a red circle ? " * 46000)[:1100000],
                {"error": "AttnScope reads at most 1 MB of text"}))
    return out


# The spec each text is read with for tokens.expected.json: the text model's
# own, and the same with room for every word of the short texts and [CLS] and
# [SEP] around them (its own reads six words and no specials).
TOKEN_READINGS = [("manifest", {}), ("every word", {"max_length": 16, "add_cls": True, "add_sep": True})]


def token_expectations(manifest, text_cases):
    """tokens.expected.json: what the Python tokenizer makes of every text of
    the corpus with the text model's manifest (held in the file, for the C++
    side to read the same spec) and with each reading's changes to its
    `text`. Every text is included: the tokenizer itself does not stop at
    1 MB, the readers before it do."""
    out = {"generator": "models/attnscope/make_malformed_corpus.py (attnscope.tokenizer)", "model": TEXT_MODEL,
           "manifest": manifest, "readings": {name: changes for name, changes in TOKEN_READINGS}, "texts": []}
    for reading, changes in TOKEN_READINGS:
        words = tokenizer.create(dict(manifest["text"], **changes))
        for name, data, _ in text_cases:
            out["texts"].append(dict(file="malformed/texts/" + name, reading=reading, **words.encode(data).to_json()))
    return out


def json_text(value):
    return json.dumps(value, indent=1) + "\n"


def sessions():
    """(name, text, error) of every malformed session file."""
    good = {"format": "attnscope-session/1", "model": {"path": "tiny_joint.pt"},
            "image": {"path": "images/joint_exact.png"}, "text": "is there a red circle"}

    def variant(**changes):
        s = json.loads(json.dumps(good))
        for key, value in changes.items():
            if value is None:
                del s[key]
            else:
                s[key] = value
        return json.dumps(s)

    return [
        ("empty.attnscope.json", "", "line 1, column 1"),
        ("not_json.attnscope.json", "this is not a session\n", "line 1, column 2: syntax error while parsing value - invalid literal"),
        ("truncated.attnscope.json", variant()[:40], "line 1, column 41"),
        ("wrong_format.attnscope.json", variant(format="attnscope-session/99"), "attnscope-session/99"),
        ("no_model.attnscope.json", variant(model=None), "\"model\" is missing"),
        ("bad_image_data.attnscope.json", variant(image={"path": "x.png", "data": "%%%not base64%%%"}), "image \"data\""),
        ("wrong_type.attnscope.json", variant(text=12), "\"text\" must be"),
        ("array.attnscope.json", "[1, 2, 3]", "a session file is a JSON object"),
        ("bad_method.attnscope.json", json.dumps(dict(good, model={"path": "../../tiny_joint.pt"},
                                                      image={"path": "../../images/joint_exact.png"},
                                                      view={"method": "lrp"})),
         "unknown method \"lrp\""),
        # Valid in form, but its answer is not one of the model's labels (paths are relative to the session).
        ("bad_target.attnscope.json", json.dumps(dict(good, model={"path": "../../tiny_joint.pt"},
                                                      image={"path": "../../images/joint_exact.png"},
                                                      view={"target": 999})),
         "target label 999 is out of range"),
    ]


def fuzz_seeds(data, fuzz, image_cases, text_cases, session_cases):
    for harness in ("image", "manifest", "tokenizer", "session"):  # the seeds of other harnesses stay
        shutil.rmtree(os.path.join(fuzz, harness), ignore_errors=True)
    for name, image, _ in image_cases:
        if len(image) <= 16384:
            write(os.path.join(fuzz, "image", name), image)
    for model in ("tiny_joint.pt", "tiny_dual.pt", "tiny_late.pt"):
        files = {"attnscope.json": ""}
        torch.jit.load(os.path.join(data, model), _extra_files=files)
        write(os.path.join(fuzz, "manifest", model.replace(".pt", ".json")), files["attnscope.json"])
    write(os.path.join(fuzz, "manifest", "truncated.json"), files["attnscope.json"][:200])
    for name, text, _ in text_cases:
        for options in (0x3F, 0x18):  # with and without CLS/SEP, lower-casing; two lengths
            write(os.path.join(fuzz, "tokenizer", "%02x_%s" % (options, name)), bytes([options]) + text[:2000])
    good = {"format": "attnscope-session/1", "model": {"path": "m.pt", "sha256": "ab" * 32},
            "image": {"path": "i.png", "data": "iVBORw0KGgo="}, "text": "is there a red circle",
            "view": {"method": "rollout", "attention": 1, "head": 0, "zoom": 2.0, "colormap": "magma"}}
    write(os.path.join(fuzz, "session", "good.json"), json.dumps(good).encode())
    for name, text, _ in session_cases:
        write(os.path.join(fuzz, "session", name), text.encode())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=paths.TEST_DATA, help="the test data folder (default: tests/data)")
    parser.add_argument("--fuzz", default=paths.FUZZ_CORPUS, help="the seed corpora (default: tests/fuzz/corpus)")
    args = parser.parse_args()
    out = os.path.join(args.data, "malformed")
    if os.path.isdir(out):
        shutil.rmtree(out)
    manifest = text_model_manifest(args.data)

    expected = {"text_model": TEXT_MODEL, "text_image": "images/joint_exact.png",
                "images": [], "models": [], "texts": [], "sessions": []}
    image_cases = images()
    for name, data, expectation in image_cases:
        write(os.path.join(out, "images", name), data)
        expected["images"].append(dict(file="malformed/images/" + name, **expectation))
    for path, error in models(args.data):
        expected["models"].append({"file": path, "error": error})
    text_cases = texts(manifest["text"])
    for name, data, expectation in text_cases:
        write(os.path.join(out, "texts", name), data)
        expected["texts"].append(dict(file="malformed/texts/" + name, **expectation))
    session_cases = sessions()
    for name, text, error in session_cases:
        write(os.path.join(out, "sessions", name), text.encode())
        expected["sessions"].append({"file": "malformed/sessions/" + name, "error": error})
    with open(os.path.join(out, "expected.json"), "w") as f:
        f.write(json_text(expected))
    with open(os.path.join(out, "tokens.expected.json"), "w") as f:
        f.write(json_text(token_expectations(manifest, text_cases)))
    fuzz_seeds(args.data, args.fuzz, image_cases, text_cases, session_cases)
    print("wrote %d images, %d models, %d texts (and their tokens), %d sessions to %s" % (
        len(expected["images"]), len(expected["models"]), len(expected["texts"]), len(expected["sessions"]), out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
