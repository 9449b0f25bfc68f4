"""Helpers for the course "Deep Learning from the Chain Rule Up".

One module per topic (perceptron, mlp, backprop, training, cnn, rnn, gan, style, ...), plus the
shared modules every lesson uses:

- ``repro``: ``setup()`` seeds everything and pins torch to one thread (bit-stable outputs);
- ``data``: checksummed loaders for the files in ``datasets/``;
- ``plots``: the course's plotting style and common plots;
- ``widgets``: the live demos (ipywidgets);
- ``exercises``: checkers that answer a student's attempt in one sentence.

Importing ``course_lib`` is cheap: torch is imported only by the modules that need it.
"""

__version__ = "0.1.0"
