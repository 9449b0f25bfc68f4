"""pytest set-up shared by the unit tests and nbval.

Kernels started by nbval inherit this environment: progress bars off (their text changes from run
to run) and no FULL=1 long-training switch.
"""

import os

os.environ["TQDM_DISABLE"] = "1"
os.environ.pop("FULL", None)

collect_ignore = ["build", ".venv", "datasets", "slides"]
