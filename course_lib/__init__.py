"""Helpers for the course "Deep Learning from the Chain Rule Up".

The topic modules hold what the lessons write in their ``# @save course_lib.<module>`` cells,
word for word, in course order (``??`` on a function shows the lesson's own code):

- ``tensors`` (00), ``perceptron`` (01), ``mlp`` (02), ``backprop`` (03), ``training`` (04),
  ``cnn`` (05), ``rnn`` and ``charlm`` (06), ``gan`` and ``dcgan`` (07), ``style`` (08),
  ``interpret`` and ``localisation`` (09), ``transfer`` (10).

Beside them, what a lesson uses but does not write: experiment drivers and figures
(``<topic>_experiments``), the architectures of lesson 05 (``cnn_architectures``), VGG-19's
shapes (``vgg``), lesson 08's painted style images (``procedural_art``), and seed 001's printed
numbers and errata (``seed001``, for lesson 03 and its appendix).

The shared modules every lesson uses:

- ``repro``: ``setup()`` seeds everything and pins torch to one thread (bit-stable outputs);
- ``data``: checksummed loaders for the files in ``datasets/``;
- ``plots``: the course's plotting style and common plots;
- ``widgets``: the live demos (``widgets.Demo``; one submodule per topic);
- ``exercises``: checkers that answer a student's attempt in one sentence (one submodule per
  topic);
- ``practice`` and ``editions``: the practice and live-coding editions (``%%practice`` checks);
- ``grade``: ``make grade``, students' notebooks run headless and tabulated;
- ``build``: course maintenance behind the Makefile (execute, bench, editions, slides, site).

Importing ``course_lib`` is cheap: torch is imported only by the modules that need it.
"""

__version__ = "0.1.0"
