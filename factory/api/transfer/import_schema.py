"""What an import task answers besides its status: step 1's inspection, step 3's report and, when the
package was refused, the error. The services build these as JSON-ready data (the task row keeps them as
they are); these serializers describe that data in the OpenAPI schema, so that the wizard's types are
generated, not written by hand. The answers are the stored data itself: the serializers are for the
schema only, and a field the services add must be described here too."""

from __future__ import annotations

from rest_framework import serializers

_TEXT = {"allow_null": True, "required": False}


class InspectedParamSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.JSONField(help_text="As the package has it; empty when masked.")
    type = serializers.CharField(help_text="variable or constant.")
    masked = serializers.BooleanField()

    class Meta:
        ref_name = "InspectedParam"


class InspectedObjectSerializer(serializers.Serializer):
    """A job, script or resource of the package, and the workspace's object of its name if any."""

    name = serializers.CharField()
    path = serializers.CharField(required=False, help_text="Its entry in the package.")
    directory = serializers.CharField(**_TEXT)
    type = serializers.CharField(**_TEXT, help_text="A script's or resource's type.")
    exists = serializers.BooleanField(help_text="The workspace has an object of this name.")
    lockHolder = serializers.CharField(**_TEXT)
    blockedReason = serializers.CharField(**_TEXT, help_text="Why an overwrite would fail.")
    scheduled = serializers.BooleanField(required=False)
    params = InspectedParamSerializer(many=True, required=False, help_text="A job's parameters.")
    processType = serializers.CharField(**_TEXT)
    nodeCount = serializers.IntegerField(required=False)
    scripts = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The scripts beside a job in its folder."
    )
    connectionName = serializers.CharField(required=False)
    location = serializers.CharField(**_TEXT, help_text="A resource's file.")

    class Meta:
        ref_name = "InspectedObject"


class ReferenceUseSerializer(serializers.Serializer):
    type = serializers.CharField()
    name = serializers.CharField()
    node = serializers.CharField(allow_null=True)
    property = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "ReferenceUse"


class MissingReferenceSerializer(serializers.Serializer):
    """One missing object the package refers to."""

    name = serializers.CharField()
    usedBy = ReferenceUseSerializer(many=True)
    usedByCount = serializers.IntegerField(required=False)
    canCreate = serializers.BooleanField(
        help_text="The package defines a data connection of this name that can be created (with its secrets)."
    )
    secretFields = serializers.ListField(child=serializers.CharField(), required=False)
    note = serializers.CharField(required=False)
    scriptTypes = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="For a missing script: the script types the nodes running it accept (empty or absent: any).",
    )

    class Meta:
        ref_name = "MissingReference"


class MissingGroupSerializer(serializers.Serializer):
    """Missing references of one kind (and connection type), with the objects that may replace them."""

    kind = serializers.CharField()
    connectionType = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    required = serializers.BooleanField(
        help_text="Every reference must be mapped before the import can go on (environment variables need not be)."
    )
    candidates = serializers.ListField(child=serializers.CharField())
    candidatesTruncated = serializers.BooleanField(required=False)
    canLeaveUnresolved = serializers.BooleanField(
        required=False,
        help_text="A missing script or cloud object may be left unresolved: the job imports and fails when "
        "scheduled.",
    )
    references = MissingReferenceSerializer(many=True)

    class Meta:
        ref_name = "MissingGroup"


class PackageConnectionSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    secretFields = serializers.ListField(child=serializers.CharField())
    path = serializers.CharField(required=False)
    exists = serializers.BooleanField()
    canCreate = serializers.BooleanField()

    class Meta:
        ref_name = "PackageConnection"


class InspectedEnvironmentSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.JSONField()
    exists = serializers.BooleanField()

    class Meta:
        ref_name = "InspectedEnvironment"


class InspectedPackageSerializer(serializers.Serializer):
    layout = serializers.CharField(required=False)
    hasManifest = serializers.BooleanField(required=False)
    ignored = serializers.ListField(child=serializers.CharField(), required=False)
    fileName = serializers.CharField(required=False)
    source = serializers.CharField(required=False)
    sha256 = serializers.CharField(required=False)
    size = serializers.IntegerField(required=False)

    class Meta:
        ref_name = "InspectedPackage"


class InspectionSerializer(serializers.Serializer):
    """Step 2's view of the package: its objects, what exists, every missing reference."""

    category = serializers.CharField(required=False)
    package = InspectedPackageSerializer(required=False)
    jobs = InspectedObjectSerializer(many=True)
    scripts = InspectedObjectSerializer(many=True)
    resources = InspectedObjectSerializer(many=True)
    connections = PackageConnectionSerializer(many=True)
    environment = InspectedEnvironmentSerializer(many=True, required=False)
    missing = MissingGroupSerializer(many=True)
    references = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Every name the package refers to, by kind.",
    )
    notes = serializers.ListField(child=serializers.CharField(), required=False)
    warnings = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text='E.g. "Job J: node N: unknown type T, its references are not checked."',
    )
    summary = serializers.DictField(child=serializers.IntegerField(), required=False)

    class Meta:
        ref_name = "Inspection"


class ImportChangesSummarySerializer(serializers.Serializer):
    new = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()

    class Meta:
        ref_name = "ImportChangesSummary"


class ImportChangesErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()

    class Meta:
        ref_name = "ImportChangesError"


class ImportChangesSerializer(serializers.Serializer):
    """The last preview: how many objects would be new, changed, unchanged, skipped or failed, with the
    choices it was made with (the objects: GET changes/); or why it could not be made."""

    summary = ImportChangesSummarySerializer(required=False)
    choices = serializers.DictField(required=False)
    error = ImportChangesErrorSerializer(required=False)

    class Meta:
        ref_name = "ImportChanges"


class ReportUnresolvedSerializer(serializers.Serializer):
    """Where an imported job uses a reference left unresolved (node null: the job's schedule)."""

    job = serializers.CharField()
    node = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    name = serializers.CharField()
    property = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "ReportUnresolved"


class RowUnresolvedSerializer(serializers.Serializer):
    node = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    name = serializers.CharField()
    property = serializers.CharField(allow_null=True)

    class Meta:
        ref_name = "RowUnresolved"


class ReportRowSerializer(serializers.Serializer):
    """One object's outcome."""

    type = serializers.CharField()
    name = serializers.CharField()
    outcome = serializers.CharField()
    message = serializers.CharField()
    newName = serializers.CharField(required=False)
    id = serializers.IntegerField(required=False)
    versionId = serializers.IntegerField(**_TEXT)
    version = serializers.IntegerField(**_TEXT)
    directory = serializers.CharField(**_TEXT)
    lockTakenFrom = serializers.CharField(**_TEXT)
    secretFields = serializers.ListField(child=serializers.CharField(), required=False)
    unresolved = RowUnresolvedSerializer(
        many=True, required=False, help_text="A job's nodes that use a reference left unresolved."
    )
    scheduleStatus = serializers.CharField(
        required=False, help_text="A scheduled job overwritten with keepSchedules: its schedule runs on."
    )
    plannedOutcome = serializers.CharField(required=False)
    rolledBack = serializers.BooleanField(required=False)

    class Meta:
        ref_name = "ReportRow"


class ImportReportSerializer(serializers.Serializer):
    """Step 3: every object's outcome, and the same rows by outcome."""

    fileName = serializers.CharField(required=False)
    rolledBack = serializers.BooleanField(required=False)
    continueOnError = serializers.BooleanField(required=False)
    targetStatus = serializers.CharField(required=False)
    summary = serializers.DictField(child=serializers.IntegerField(), required=False)
    objects = ReportRowSerializer(many=True, required=False)
    created = ReportRowSerializer(many=True)
    overwritten = ReportRowSerializer(many=True)
    skipped = ReportRowSerializer(many=True)
    renamed = ReportRowSerializer(many=True)
    failed = ReportRowSerializer(many=True)
    unchanged = ReportRowSerializer(
        many=True, required=False, help_text="Already as the package has them: not written."
    )
    unresolved = ReportUnresolvedSerializer(
        many=True,
        required=False,
        help_text="The nodes of imported jobs that use a reference left unresolved.",
    )

    class Meta:
        ref_name = "ImportReport"


class ImportReportFileSerializer(ImportReportSerializer):
    """The report as a downloadable file: the task's outcome, then the report."""

    task = serializers.CharField()
    name = serializers.CharField()
    workspace = serializers.CharField()
    status = serializers.CharField()
    message = serializers.CharField()
    startedAt = serializers.DateTimeField(allow_null=True)
    endedAt = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "ImportReportFile"


class PackageErrorSerializer(serializers.Serializer):
    """Why a package (or the choices stored with it) was refused: the entry, field, line and column."""

    message = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    entry = serializers.CharField(**_TEXT)
    field = serializers.CharField(**_TEXT)
    line = serializers.IntegerField(**_TEXT)
    column = serializers.IntegerField(**_TEXT)
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Refused choices, by field.",
    )

    class Meta:
        ref_name = "PackageError"
