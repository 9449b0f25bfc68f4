import random
import subprocess
import sys

import matplotlib as mpl
import numpy as np
import pytest
import torch

from course_lib import plots, repro


def test_setup_makes_every_generator_repeatable():
    rng = repro.setup(3)
    first = (random.random(), np.random.rand(), torch.rand(1).item(), rng.random())
    rng = repro.setup(3)
    assert first == (random.random(), np.random.rand(), torch.rand(1).item(), rng.random())


def test_setup_pins_threads_and_style():
    repro.setup()
    assert torch.get_num_threads() == 1
    assert mpl.rcParams["figure.dpi"] == plots.STYLE["figure.dpi"]


@pytest.mark.parametrize("kwargs", [{"seed": -1}, {"seed": 1.5}, {"threads": 0}])
def test_setup_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=r"seed|threads"):
        repro.setup(**kwargs)


def test_importing_course_lib_does_not_import_torch():
    code = (
        "import sys, course_lib, course_lib.data, course_lib.plots, course_lib.exercises;"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_seed_torch_seeds_and_pins_threads():
    repro.seed_torch(5, threads=1)
    first = torch.rand(2)
    repro.seed_torch(5, threads=1)
    assert torch.equal(first, torch.rand(2)) and torch.get_num_threads() == 1
