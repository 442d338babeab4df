"""Tests of the Shapes World generator: seeded splits repeat, question types
come in equal shares, answers agree with the scene, and every box holds the
object it names in the rendered pixels.

    PYTHONPATH=models python3 -m unittest -v attnscope.tests.test_shapes_world
"""
import unittest

import numpy as np

from attnscope import shapes_world as world


def split(name, count, seed=None):
    return list(world.make_split(name, count, seed=seed))


class ShapesWorldTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = split("validation", 400)

    def test_seeded_splits_repeat_and_differ(self):
        again = split("validation", 400)
        self.assertEqual([q for _, qs in self.data for q in qs], [q for _, qs in again for q in qs])
        self.assertTrue(all(np.array_equal(a.image, b.image) for (a, _), (b, _) in zip(self.data, again)))
        other = split("test", 400)
        self.assertNotEqual(self.data[0][1], other[0][1])

    def test_types_in_equal_shares(self):
        counts = {t: 0 for t in world.QUESTION_TYPES}
        for _, questions in self.data:
            for q in questions:
                counts[q["type"]] += 1
        self.assertEqual(sum(counts.values()), 400)
        for t, n in counts.items():
            self.assertAlmostEqual(n / 400, 0.25, delta=0.02, msg=t)

    def test_answers_agree_with_scene(self):
        yes = no = 0
        for scene, questions in self.data:
            for q in questions:
                self.assertIn(q["answer"], world.LABELS)
                words = q["question"].split()
                if q["type"] == "existence":
                    colour, shape = words[3], words[4]
                    present = any(o["colour"] == colour and o["shape"] == shape for o in scene.objects)
                    self.assertEqual(q["answer"], "yes" if present else "no")
                    yes, no = yes + present, no + (not present)
                elif q["type"] == "counting":
                    self.assertEqual(int(q["answer"]), len(q["boxes"]))
                    target = words[2]
                    n = sum(o["colour"] == target or world.PLURALS[o["shape"]] == target for o in scene.objects)
                    self.assertEqual(int(q["answer"]), n)
                elif q["type"] == "spatial":
                    a, b = (next(o for o in scene.objects if o["box"] == box) for box in q["boxes"])
                    relation = " ".join(words[4:-4]) if words[5] == "of" else words[4]
                    self.assertEqual(q["answer"] == "yes", world._holds(relation, a, b))
        self.assertGreater(yes, 20)
        self.assertGreater(no, 20)

    def test_boxes_hold_their_objects(self):
        for scene, questions in self.data[:40]:
            for q in questions:
                for box in q["boxes"]:
                    o = next(o for o in scene.objects if o["box"] == box)
                    cx, cy = o["centre"]
                    # The centre pixel has the object's colour (noise is at most a few levels).
                    expected = np.array(world.COLOURS[o["colour"]], np.float32)
                    pixel = scene.image[cy, cx].astype(np.float32)
                    self.assertLess(np.abs(pixel - expected).max(), 40, (q["question"], box))
                    x0, y0, x1, y1 = box
                    self.assertTrue(0 <= x0 < x1 <= world.IMAGE_SIZE and 0 <= y0 < y1 <= world.IMAGE_SIZE)

    def test_patch_labels_name_what_is_drawn(self):
        step = world.IMAGE_SIZE // world.PATCH_GRID
        labelled = 0
        for scene, _ in self.data[:40]:
            labels = world.patch_labels(scene)
            self.assertEqual(len(labels), world.PATCH_GRID ** 2)
            for p, label in enumerate(labels):
                if label == 0:
                    continue
                labelled += 1
                colour = world.COLOUR_NAMES[(label - 1) // len(world.SHAPES)]
                r, c = divmod(p, world.PATCH_GRID)
                pixel = scene.image[r * step + step // 2, c * step + step // 2].astype(np.float32)
                # Anti-aliased edges blend with the background: allow more there.
                self.assertLess(np.abs(pixel - np.array(world.COLOURS[colour], np.float32)).max(), 90, (p, colour, pixel))
        self.assertGreater(labelled, 100)


if __name__ == "__main__":
    unittest.main()
