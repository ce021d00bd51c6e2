"""Promotion to a remote console or DataArts Studio, through its v1 API and Huawei's official SDK
(``huaweicloudsdkdgc``), so that the same code promotes to this console on another server and to a real
DataArts Studio.

Two background steps (``factory.promotion.tasks``; ``steps``), each on the ``Promotion`` row:

**The change-set** (``remote_preview_run``): the package is built as for a local target (the selection
with what it depends on, nothing downloaded), read, and each of its jobs, scripts and resources is made
into the document the remote would end with: the profile's maps and parameters applied (as the remote's
import applies them), its rewrite rules and time zone (the v1 import has no hook for them, so they are
applied here, in the package). The target's current objects are read through the v1 API (``ShowJob``, ``ShowScript``,
``ListResources``/``ShowResource``) and each object is classified new / changed / unchanged with the
project's structural diff (``factory.packages.diff``, the local preview's). Keys the target adds to what it
shows (ids, owners, versions, times) are not compared: only those the package's document has. The package
that goes is then written with the **new and changed objects only** (unchanged ones are not sent, so a
promotion without changes writes nothing on the remote, no new version), and staged in OBS under the
profile's folder as ``promotion-<id>-<random>.zip`` (the workspace's OBS allow-list applies; an object
is never overwritten; ``staging``). What is staged is what an approver approves: its sha256 is on the row,
and the apply refuses an object that no longer has it, or a profile saved since the promotion was asked
for.

**The apply** (``remote_apply_run``): ``ImportJob`` with the staged path, ``sameNamePolicy`` from the
profile's duplicate policy, ``targetStatus``, ``params`` (the public parameters), ``jobsParam`` (each
job's own) and ``resources`` (the reference maps DataArts' import takes: data connections of the types it
names, DLI queues, DIS streams, CDM and MRS clusters, GES graphs); then ``ListSystemTasks`` (DataArts'
``system-tasks/{id}``) until the task ends. Its status, message and subtasks are kept on the row.

What DataArts' import has no field for is said in the promotion's message, never silently dropped: maps of
scripts and resources (and of connections of a type it does not name) are applied in the package
instead, and so is the time zone (``expressionTimeZone`` of every cron schedule); the environment-variable
overrides, the lock policy and releasing locks and the schedule policy are not applied on a remote target.

Every failure (the network, a 401 for a wrong key, a refused import) ends the promotion with a message
naming the endpoint and the reason; no key is ever in a message or a log. The endpoint must be one the
console allows (``PROMOTION_REMOTE_ENDPOINTS``, ``factory.promotion.endpoints``), its host resolved when
a step connects (``client``). ``plan`` makes the change-set.
"""

from .client import Remote, RemoteFailure, remote_connect, remote_label
from .plan import RemotePlan, remote_plan
from .staging import remote_discard
from .steps import remote_apply_run, remote_dry_run, remote_preview_run, remote_stale_fail

__all__ = [
    "Remote",
    "RemoteFailure",
    "RemotePlan",
    "remote_apply_run",
    "remote_connect",
    "remote_discard",
    "remote_dry_run",
    "remote_label",
    "remote_plan",
    "remote_preview_run",
    "remote_stale_fail",
]
