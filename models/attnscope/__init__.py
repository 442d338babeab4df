"""AttnScope's Python side: the export helper that turns a PyTorch model into
an AttnScope archive, the word-level tokenizer AttnScope reads text with, the
independent reference implementation of the explanation methods, Shapes World
and its demo models, and the tools that make the test data and benchmarks.

Import it with models/ on the path and run the tools as modules:

    export PYTHONPATH=<repo>/models
    /usr/bin/python3 -m attnscope.make_test_data
    python3 -c "from attnscope import export"

Runs with Debian's python3-torch (1.13), python3-numpy and python3-opencv.
"""
