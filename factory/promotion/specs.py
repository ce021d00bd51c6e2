"""What the profile services take: typed values that each interface (the console API's serializers, the
JSON document of ``profile import``) builds from its own input, and the kinds a reference map may name."""

from __future__ import annotations

from dataclasses import dataclass, field

from factory.development.nodes import JOB
from factory.packages.rewrite import TextRule
from factory.transfer.imports.analysis import KIND_LABELS, REQUIRED_KINDS

from .models import DuplicatePolicy, LockPolicy, SchedulePolicy, TargetKind, TargetStatus

# The kinds the import asks a user to map, but sub-jobs: a promotion carries the jobs a job calls with it
# (the package is built with its dependencies), so they keep their names in the target.
MAPPING_KINDS: tuple[str, ...] = tuple(kind for kind in REQUIRED_KINDS if kind != JOB)
MAPPING_LABELS: dict[str, str] = {kind: KIND_LABELS[kind] for kind in MAPPING_KINDS}


@dataclass(frozen=True)
class RemoteTarget:
    """A remote console or DataArts Studio: its v1 API endpoint, project and workspace (DataArts'
    ``workspace`` header; empty: the project's default one), the OBS folder the package is staged in, and
    the AK/SK to sign with. ``None`` keys keep the stored ones (a form never shows them back)."""

    endpoint: str
    project_id: str
    obs_folder: str
    workspace_id: str = ""
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ReferenceMapping:
    """A reference ``(kind, name)`` replaced by ``replace`` in the target; ``connection_type`` (for a data
    connection, optional) says the connection's type, so that a replacement of another type is refused."""

    kind: str
    name: str
    replace: str
    connection_type: str | None = None


@dataclass(frozen=True)
class ValueOverride:
    """A parameter (public, or one job's when ``job`` is set) or environment variable given a value in
    the target. A ``masked`` value is kept only encrypted and never shown; ``value`` None keeps the
    stored one (or leaves it unset: it is then asked for when the profile is used)."""

    name: str
    value: str | None = field(default=None, repr=False)
    masked: bool = False
    job: str | None = None


@dataclass(frozen=True)
class ProfileSpec:
    """A whole profile as a service takes it. Update replaces everything but the secrets not given again."""

    name: str
    target_kind: str
    description: str = ""
    target_workspace_id: int | None = None
    target_workspace_name: str | None = None  # from a JSON document: the target by name wins over its id
    remote: RemoteTarget | None = None
    mappings: tuple[ReferenceMapping, ...] = ()
    public_params: tuple[ValueOverride, ...] = ()
    job_params: tuple[ValueOverride, ...] = ()
    environment_variables: tuple[ValueOverride, ...] = ()
    rewrite_rules: tuple[TextRule, ...] = ()
    duplicate_policy: str = DuplicatePolicy.OVERWRITE
    lock_policy: str = LockPolicy.TAKE
    release_locks: bool = False
    target_status: str = TargetStatus.SUBMITTED
    schedule_policy: str = SchedulePolicy.REFUSE
    expression_time_zone: str = ""
    requires_approval: bool = False


@dataclass(frozen=True)
class MaskedValue:
    """A masked value of a profile, kept only encrypted: ``kind`` publicParam, jobParam (of ``job``) or
    variable."""

    kind: str
    name: str
    job: str | None = None


@dataclass(frozen=True)
class ProfileSecrets:
    """What a profile keeps encrypted, decrypted for the one place that uses it (a promotion): never for
    display or export."""

    access_key: str = field(default="", repr=False)
    secret_key: str = field(default="", repr=False)
    public_params: dict[str, str] = field(default_factory=dict, repr=False)
    job_params: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    environment_variables: dict[str, str] = field(default_factory=dict, repr=False)


__all__ = [
    "MAPPING_KINDS",
    "MAPPING_LABELS",
    "DuplicatePolicy",
    "LockPolicy",
    "MaskedValue",
    "ProfileSecrets",
    "ProfileSpec",
    "ReferenceMapping",
    "RemoteTarget",
    "SchedulePolicy",
    "TargetKind",
    "TargetStatus",
    "ValueOverride",
]
