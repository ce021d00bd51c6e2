"""Import, step 2: the user's choices, checked against the inspection before the apply is queued.

Choices are kept in the task's ``params`` as plain JSON. What was typed in is not: the secrets of data
connections to create (``import_choices_validate`` hands them back separately) and the values of
parameters (masked ones among them; ``params`` names the parameters only) are stored only encrypted, in
``SystemTask.secrets_encrypted`` (``import_secrets_pack``), which the apply reads and then clears.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from factory.crypto import secret_decrypt, secret_encrypt
from factory.packages.rewrite import TextRule

OBJECT_TYPES = ("job", "script", "resource")
DIRECTORY_MODES = ("prefix", "replace")
SUBMITTED = "submitted"
# Objects locked by another user: the lock is taken where the target allows it (as DataArts does), or
# they are left untouched and reported skipped (an environment profile's ``skip_locked``).
LOCK_TAKE = "take"
LOCK_SKIP_LOCKED = "skip_locked"
LOCK_POLICIES = (LOCK_TAKE, LOCK_SKIP_LOCKED)
SAVED = "saved"
TARGET_STATUSES = (SUBMITTED, SAVED)
MAX_PARAM_VALUE = 1_000_000


@dataclass(frozen=True)
class VariableOverride:
    """A workspace environment variable the import sets (an environment profile's override): created when
    missing, its value replaced when it differs. A masked one keeps its value encrypted in the workspace;
    the choices keep every value only encrypted (``import_secrets_pack``)."""

    name: str
    value: str = field(default="", repr=False)
    masked: bool = False


@dataclass(frozen=True)
class ImportChoices:
    """What the user decided at step 2. ``mapping`` replaces references ``(kind, old name) -> new name``;
    ``unresolved`` are missing references ``(kind, name)`` the user chose to leave as they are (the jobs
    are imported, flagged, and fail when scheduled, as in DataArts); ``create_connections`` names the
    package's connection definitions to create (secrets apart). Each interface builds it from its own
    input (the console API's body, the v1 ``ImportFileReq``, the command's options); the import's services
    take nothing else."""

    policy: str | None = None  # None: the policy the import was started with
    overrides: dict[str, str] = field(default_factory=dict)  # "job:NAME" -> policy
    mapping: dict[tuple[str, str], str] = field(default_factory=dict)
    unresolved: frozenset[tuple[str, str]] = frozenset()
    create_connections: tuple[str, ...] = ()
    public_params: dict[str, str] = field(default_factory=dict)
    job_params: dict[str, dict[str, str]] = field(default_factory=dict)
    target_directory: str | None = None
    directory_mode: str = "prefix"
    target_status: str = SUBMITTED
    continue_on_error: bool = False
    # Write nothing for an object that already is what the import would write (outcome "unchanged").
    skip_unchanged: bool = False
    # Text rewrites over scripts' content and jobs' node properties (an environment profile's, e.g.
    # ``dev_dw.`` to ``prod_dw.``), applied to what is written, so that the change-set shows them.
    rewrite_rules: tuple[TextRule, ...] = ()
    # Overwrite a scheduled job all the same: stopped, updated and started again in the apply's transaction
    # (an environment profile's "keep the target's schedules"); DataArts' refusal otherwise.
    keep_schedules: bool = False
    # Environment variables of the workspace set to these values, in the apply's transaction.
    variables: tuple[VariableOverride, ...] = ()
    # ``skip_locked``: an object locked by another user is skipped (the holder named) instead of taken.
    lock_policy: str = LOCK_TAKE
    # Release the locks the import took once it has written (the objects are left unlocked).
    release_locks: bool = False
    # Every job's schedule ``expressionTimeZone`` set to this zone (e.g. ``GMT+8``); "" keeps the job's.
    expression_time_zone: str = ""
    # The parameters of ``public_params`` and of ``job_params`` (by job) whose values are written masked
    # (an environment profile's masked parameters): named in each job's ``maskedParams``, so that the
    # change-set, the canvas and exports empty them and the job keeps the value encrypted.
    masked_public_params: frozenset[str] = frozenset()
    masked_job_params: dict[str, frozenset[str]] = field(default_factory=dict)
    # The secrets typed in for ``create_connections`` (by name): never in ``to_params``, kept only encrypted.
    connection_secrets: dict[str, dict[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def policy_for(self, object_type: str, name: str) -> str:
        # The applied choices always carry a policy (the validation fills in the import's own).
        return self.overrides.get(f"{object_type}:{name}", self.policy or "overwrite")

    def to_params(self) -> dict[str, Any]:
        """The choices as the task's ``params`` keep (and GET imports/<id>/ shows) them: the parameters by
        name only, their values being in ``import_secrets_pack``'s ciphertext."""
        return import_params_names(
            params={
                "policy": self.policy,
                "overrides": self.overrides,
                "mapping": [
                    {"kind": k, "name": n, "replace": r} for (k, n), r in sorted(self.mapping.items())
                ]
                + [{"kind": k, "name": n, "unresolved": True} for k, n in sorted(self.unresolved)],
                "createConnections": list(self.create_connections),
                "publicParams": self.public_params,
                "jobParams": self.job_params,
                "targetDirectory": self.target_directory,
                "directoryMode": self.directory_mode,
                "targetStatus": self.target_status,
                "continueOnError": self.continue_on_error,
                "skipUnchanged": self.skip_unchanged,
                "keepSchedules": self.keep_schedules,
                "variables": [{"name": v.name, "masked": v.masked} for v in self.variables],
                "lockPolicy": self.lock_policy,
                "releaseLocks": self.release_locks,
                "expressionTimeZone": self.expression_time_zone,
                "rewriteRules": [r.to_json() for r in self.rewrite_rules],
                "maskedPublicParams": sorted(self.masked_public_params),
                "maskedJobParams": {
                    job: sorted(names) for job, names in sorted(self.masked_job_params.items()) if names
                },
            }
        )

    def masked_params_of(self, job: str) -> frozenset[str]:
        """The parameters written masked in job ``job``: its own masked ones, and the masked public ones
        it does not set otherwise."""
        own = self.job_params.get(job) or {}
        public = {name for name in self.masked_public_params if name not in own}
        return frozenset(public | (self.masked_job_params.get(job) or frozenset()))

    @classmethod
    def from_params(cls, params: dict[str, Any], *, values: ImportSecrets | None = None) -> ImportChoices:
        """The choices of ``to_params``, with the parameter values of ``values`` (the task's decrypted
        ``secrets_encrypted``); a parameter whose value is not there is left as the package has it."""
        values = values or ImportSecrets()
        params = import_params_with_values(params=params, values=values)
        return cls(
            policy=params.get("policy"),
            overrides=dict(params.get("overrides") or {}),
            mapping={
                (m["kind"], m["name"]): m["replace"]
                for m in params.get("mapping") or []
                if not m.get("unresolved")
            },
            unresolved=frozenset(
                (m["kind"], m["name"]) for m in params.get("mapping") or [] if m.get("unresolved")
            ),
            create_connections=tuple(params.get("createConnections") or ()),
            public_params=params["publicParams"],
            job_params=params["jobParams"],
            target_directory=params.get("targetDirectory"),
            directory_mode=params.get("directoryMode") or "prefix",
            target_status=params.get("targetStatus") or SUBMITTED,
            continue_on_error=bool(params.get("continueOnError")),
            skip_unchanged=bool(params.get("skipUnchanged")),
            rewrite_rules=rules_of(params.get("rewriteRules") or []),
            keep_schedules=bool(params.get("keepSchedules")),
            variables=tuple(
                VariableOverride(
                    name=str(v["name"]),
                    value=str(values.variables.get(str(v["name"]), "")),
                    masked=bool(v.get("masked")),
                )
                for v in params.get("variables") or []
                if isinstance(v, dict) and v.get("name")
            ),
            lock_policy=params.get("lockPolicy") or LOCK_TAKE,
            release_locks=bool(params.get("releaseLocks")),
            expression_time_zone=str(params.get("expressionTimeZone") or ""),
            masked_public_params=frozenset(str(n) for n in params.get("maskedPublicParams") or ()),
            masked_job_params={
                str(job): frozenset(str(n) for n in names)
                for job, names in (params.get("maskedJobParams") or {}).items()
            },
        )


def rules_of(items: list[dict[str, Any]]) -> tuple[TextRule, ...]:
    """Rewrite rules from their JSON form (``{find, replace, regex, wholeWord}``)."""
    return tuple(TextRule.from_json(r) for r in items)


@dataclass(frozen=True)
class ImportSecrets:
    """What an import keeps encrypted in its task row: the secrets typed in for the data connections to
    create (by connection name) and the parameter values typed in (public, and by job)."""

    connections: dict[str, dict[str, str]] = field(default_factory=dict)
    public_params: dict[str, str] = field(default_factory=dict)
    job_params: dict[str, dict[str, str]] = field(default_factory=dict)
    # The values of the environment variables the import sets, by name.
    variables: dict[str, str] = field(default_factory=dict)


_SECRETS_FORMAT = 2  # before it, the ciphertext held the connections' secrets alone


def import_secrets_pack(
    *,
    connections: dict[str, dict[str, str]] | None = None,
    public_params: dict[str, Any] | None = None,
    job_params: dict[str, dict[str, Any]] | None = None,
    variables: tuple[VariableOverride, ...] = (),
) -> str:
    """The ciphertext for ``SystemTask.secrets_encrypted`` ("" when there is nothing to keep)."""
    data = {
        "connections": connections or {},
        "publicParams": public_params or {},
        "jobParams": {job: values for job, values in (job_params or {}).items() if values},
        "variables": {v.name: v.value for v in variables},
    }
    if not any(data.values()):
        return ""
    return secret_encrypt(plaintext=json.dumps({"format": _SECRETS_FORMAT, **data}, sort_keys=True))


def import_params_names(*, params: dict[str, Any]) -> dict[str, Any]:
    """Choices with their ``publicParams`` and ``jobParams`` reduced to the parameters' names, the form
    in which a task row keeps them (the values go to ``import_secrets_pack``)."""
    return {
        **params,
        "publicParams": sorted(params.get("publicParams") or {}),
        "jobParams": {
            job: sorted(values or {}) for job, values in sorted((params.get("jobParams") or {}).items())
        },
    }


def _values_of(names: Any, values: dict[str, Any]) -> dict[str, Any]:
    if isinstance(names, dict):  # kept before parameter values were kept apart
        return dict(names)
    return {name: values[name] for name in names or () if name in values}


def import_params_with_values(*, params: dict[str, Any], values: ImportSecrets) -> dict[str, Any]:
    """``import_params_names``'s choices with the parameter values of ``values`` back in; a parameter
    whose value is not there is left out (as the package has it)."""
    return {
        **params,
        "publicParams": _values_of(params.get("publicParams"), values.public_params),
        "jobParams": {
            job: _values_of(names, values.job_params.get(job) or {})
            for job, names in (params.get("jobParams") or {}).items()
        },
    }


def import_secrets_unpack(*, ciphertext: str) -> ImportSecrets:
    if not ciphertext:
        return ImportSecrets()
    data = json.loads(secret_decrypt(ciphertext=ciphertext))
    if data.get("format") != _SECRETS_FORMAT:
        return ImportSecrets(connections=data)
    return ImportSecrets(
        connections=data.get("connections") or {},
        public_params=data.get("publicParams") or {},
        job_params=data.get("jobParams") or {},
        variables=data.get("variables") or {},
    )
