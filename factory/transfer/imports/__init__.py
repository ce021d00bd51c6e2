"""Import: a package into a workspace, in the wizard's three steps. This is the package's one surface for
the API, the v1 API, the commands and the benchmarks.

Request side (above ``factory.transfer.tasks``): ``import_create`` (``start``: step 1, the row and the
``import_inspect`` task), ``import_apply_request`` / ``import_cancel`` / ``import_report_get``
(``request``: step 2 and after), ``import_create_chained`` (``start``: the v1 API's one-call import, a
Celery chain), ``import_dry_run`` / ``import_run`` (``inline``: the same services in the calling
process). Worker side (below the tasks): ``import_inspect`` (``inspect``, with ``analysis``) and
``import_apply`` (``apply``: ``plan`` decides every object's outcome on the live workspace, ``write``
writes it; each object an ``Item`` of ``items``, changed through its own methods), ``import_apply_stored`` (``stored``: the chain's second link, choices given up front, recorded
by ``choose`` as a request records them). ``common`` holds the import's side of the task life cycle
(``factory.transfer.lifecycle``) and the package's source; ``choices`` and ``validate`` the user's
choices.
"""

from factory.transfer.imports.apply import import_apply
from factory.transfer.imports.changes import CHANGE_KINDS, carries_secret, same_state_reason
from factory.transfer.imports.choices import (
    DIRECTORY_MODES,
    LOCK_POLICIES,
    TARGET_STATUSES,
    ImportChoices,
    VariableOverride,
)
from factory.transfer.imports.choices import rules_of as import_rules_of
from factory.transfer.imports.common import (
    CATEGORIES,
    OVERWRITE,
    POLICIES,
    SKIP,
    package_limits,
    stale_imports_fail,
)
from factory.transfer.imports.inline import import_dry_run, import_run
from factory.transfer.imports.inspect import import_inspect, package_inspect
from factory.transfer.imports.preview import import_preview
from factory.transfer.imports.report import import_change_get, import_changes, import_report
from factory.transfer.imports.request import (
    import_apply_request,
    import_cancel,
    import_choices_recorded,
    import_preview_request,
    import_report_get,
)
from factory.transfer.imports.start import import_create, import_create_chained, import_task_get
from factory.transfer.imports.stored import import_apply_stored, import_choices_store

__all__ = [
    "CATEGORIES",
    "DIRECTORY_MODES",
    "OVERWRITE",
    "POLICIES",
    "SKIP",
    "TARGET_STATUSES",
    "LOCK_POLICIES",
    "ImportChoices",
    "VariableOverride",
    "carries_secret",
    "import_apply",
    "import_apply_request",
    "import_cancel",
    "import_create",
    "import_create_chained",
    "import_apply_stored",
    "import_choices_recorded",
    "import_choices_store",
    "import_dry_run",
    "import_inspect",
    "import_preview",
    "import_preview_request",
    "import_report",
    "package_limits",
    "import_rules_of",
    "import_change_get",
    "import_changes",
    "CHANGE_KINDS",
    "import_report_get",
    "import_run",
    "import_task_get",
    "package_inspect",
    "stale_imports_fail",
    "same_state_reason",
]
