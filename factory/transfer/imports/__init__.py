"""Import: a package into a workspace, in the wizard's three steps. This is the package's one surface for
the API, the v1 API, the commands and the benchmarks.

Request side (above ``factory.transfer.tasks``): ``import_create`` (``start``: step 1, the row and the
``import_inspect`` task), ``import_apply_request`` / ``import_cancel`` / ``import_report_get``
(``request``: step 2 and after), ``import_dry_run`` / ``import_run`` (``inline``: the same services in the
calling process). Worker side (below the tasks): ``import_inspect`` (``inspect``, with ``analysis``) and
``import_apply`` (``apply``: ``plan`` decides every object's outcome on the live workspace, ``write``
writes it). ``common`` holds the task row's life cycle and the package's source; ``choices`` and
``validate`` the user's choices.
"""

from factory.transfer.imports.apply import import_apply
from factory.transfer.imports.choices import (
    DIRECTORY_MODES,
    TARGET_STATUSES,
    ImportChoices,
    import_params_names,
    import_params_with_values,
    import_secrets_pack,
    import_secrets_unpack,
)
from factory.transfer.imports.common import (
    CATEGORIES,
    OVERWRITE,
    POLICIES,
    RENAME,
    SKIP,
    STEP_INSPECT,
    STEP_INSPECTED,
    stale_imports_fail,
    task_fail,
)
from factory.transfer.imports.inline import import_dry_run, import_run
from factory.transfer.imports.inspect import import_inspect, package_inspect
from factory.transfer.imports.request import import_apply_request, import_cancel, import_report_get
from factory.transfer.imports.start import import_create, import_task_get

__all__ = [
    "CATEGORIES",
    "DIRECTORY_MODES",
    "OVERWRITE",
    "POLICIES",
    "RENAME",
    "SKIP",
    "STEP_INSPECT",
    "STEP_INSPECTED",
    "TARGET_STATUSES",
    "ImportChoices",
    "import_apply",
    "import_apply_request",
    "import_cancel",
    "import_create",
    "import_dry_run",
    "import_inspect",
    "import_params_names",
    "import_params_with_values",
    "import_report_get",
    "import_run",
    "import_secrets_pack",
    "import_secrets_unpack",
    "import_task_get",
    "package_inspect",
    "stale_imports_fail",
    "task_fail",
]
