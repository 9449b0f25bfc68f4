"""Helpers for the course "Deep Learning from the Chain Rule Up".

One module per lesson topic, in course order:

- ``tensors`` (00), ``perceptron`` (01), ``mlp`` (02), ``backprop`` (03), ``training`` (04),
  ``cnn`` (05), ``rnn`` (06), ``gan`` (07), ``style`` (08), ``interpret`` (09), ``transfer`` (10);

and the shared modules every lesson uses:

- ``repro``: ``setup()`` seeds everything and pins torch to one thread (bit-stable outputs);
- ``data``: checksummed loaders for the files in ``datasets/``;
- ``plots``: the course's plotting style and common plots;
- ``widgets``: the live demos (``widgets.Demo``; one submodule per topic);
- ``exercises``: checkers that answer a student's attempt in one sentence (one submodule per
  topic);
- ``build``: course maintenance behind the Makefile (execute, bench, editions, slides, site).

Importing ``course_lib`` is cheap: torch is imported only by the modules that need it.
"""

__version__ = "0.1.0"
