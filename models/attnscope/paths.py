"""Where the repository's folders are, for the tools that read and write
them: this package lives in <repo>/models/attnscope."""
import os

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(MODELS)
ZOO = os.path.join(MODELS, "zoo")
TEST_DATA = os.path.join(ROOT, "tests", "data")
FUZZ_CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
SAMPLES = os.path.join(ROOT, "resources", "samples")
