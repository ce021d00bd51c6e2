"""Objects that jobs refer to by name: data connections and the other environment-bound objects."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from factory.workspaces.models import Workspace


class ConnectionType(models.TextChoices):
    DWS = "DWS", "DWS"
    DLI = "DLI", "DLI"
    HIVE = "HIVE", "MRS Hive"
    SPARK = "SparkSQL", "MRS Spark"
    RDS = "RDS", "RDS"
    HOST = "HOST", "Host"
    CLOUDTABLE = "CloudTable", "CloudTable"
    KAFKA = "KAFKA", "MRS Kafka"
    PRESTO = "PRESTO", "MRS Presto"
    CLICKHOUSE = "CLICKHOUSE", "MRS ClickHouse"
    DORIS = "DORIS", "Doris"
    REST = "REST", "REST"


class DataConnection(models.Model):
    """A data connection (Management Center). Non-secret settings in ``config``; passwords, keys and
    tokens only in ``secrets_encrypted``, which no API, admin page or export ever returns."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connections")
    name = models.CharField(max_length=100)
    type = models.CharField(max_length=32, choices=ConnectionType.choices)
    config = models.JSONField(default=dict, blank=True)
    secrets_encrypted = models.TextField(blank=True, default="")
    secret_fields = models.JSONField(
        default=list, blank=True, help_text="Names of the secrets set, never values."
    )
    description = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_connection_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.type})"


class ExternalObjectKind(models.TextChoices):
    DLI_QUEUE = "dli_queue", "DLI queue"
    GES_GRAPH = "ges_graph", "GES graph"
    DIS_STREAM = "dis_stream", "DIS stream"
    CDM_CLUSTER = "cdm_cluster", "CDM cluster"
    MRS_CLUSTER = "mrs_cluster", "MRS cluster"


class ExternalObject(models.Model):
    """A named object of the cloud environment that nodes refer to (DLI queue, GES graph, DIS stream,
    CDM or MRS cluster). The console runs nothing on them; it only needs to know they exist."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="external_objects")
    kind = models.CharField(max_length=16, choices=ExternalObjectKind.choices)
    name = models.CharField(max_length=128)
    description = models.CharField(max_length=255, blank=True)
    config = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "name"], name="uniq_external_object")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"
