"""pytest set-up shared by the unit tests and nbval.

Kernels started by nbval inherit this environment (``build.quiet_environment``): progress bars
off (their text changes from run to run), one BLAS thread, no FULL=1 long-training switch.
"""

from course_lib.build import quiet_environment

quiet_environment()

collect_ignore = ["build", ".venv", "datasets", "slides"]
