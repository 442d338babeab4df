#!/bin/sh
# Stands in for a model file that crashes the TorchScript loader: the model
# probe (attnscope info MODEL, in a child process) dies of a segmentation fault.
kill -SEGV $$
