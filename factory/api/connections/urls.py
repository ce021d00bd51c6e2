"""Console API: the objects jobs refer to, per workspace: data connections, external objects (DLI queues,
GES graphs, DIS streams, CDM/MRS clusters), resources and environment variables."""

from django.urls import path

from factory.routing import methods

from . import checks, connections, environment, external_objects, resources

app_name = "connections"

_W = "workspaces/<str:workspace_id>/"

urlpatterns = [
    path("connection-types/", checks.ConnectionTypeListApi.as_view(), name="connection-types"),
    path(f"{_W}connections/test/", checks.ConnectionTestValuesApi.as_view(), name="connections-test"),
    path(
        f"{_W}connections/<int:connection_id>/test/",
        checks.ConnectionTestApi.as_view(),
        name="connection-test",
    ),
    path(
        f"{_W}connections/<int:connection_id>/usages/",
        checks.ConnectionUsagesApi.as_view(),
        name="connection-usages",
    ),
    path(
        f"{_W}external-objects/<int:object_id>/usages/",
        checks.ExternalObjectUsagesApi.as_view(),
        name="external-object-usages",
    ),
    path(
        f"{_W}connections/",
        methods(get=connections.ConnectionListApi, post=connections.ConnectionCreateApi),
        name="connections",
    ),
    path(
        f"{_W}connections/<int:connection_id>/",
        methods(
            get=connections.ConnectionGetApi,
            patch=connections.ConnectionUpdateApi,
            delete=connections.ConnectionDeleteApi,
        ),
        name="connection",
    ),
    path(
        f"{_W}external-objects/",
        methods(get=external_objects.ExternalObjectListApi, post=external_objects.ExternalObjectCreateApi),
        name="external-objects",
    ),
    path(
        f"{_W}external-objects/<int:object_id>/",
        methods(
            get=external_objects.ExternalObjectGetApi,
            patch=external_objects.ExternalObjectUpdateApi,
            delete=external_objects.ExternalObjectDeleteApi,
        ),
        name="external-object",
    ),
    path(
        f"{_W}resources/",
        methods(get=resources.ResourceListApi, post=resources.ResourceCreateApi),
        name="resources",
    ),
    path(
        f"{_W}resources/<int:resource_id>/",
        methods(
            get=resources.ResourceGetApi, put=resources.ResourceUpdateApi, delete=resources.ResourceDeleteApi
        ),
        name="resource",
    ),
    path(
        f"{_W}environment-variables/",
        methods(get=environment.EnvironmentVariableListApi, post=environment.EnvironmentVariableCreateApi),
        name="environment-variables",
    ),
    path(
        f"{_W}environment-variables/<int:variable_id>/",
        methods(
            get=environment.EnvironmentVariableGetApi,
            patch=environment.EnvironmentVariableUpdateApi,
            delete=environment.EnvironmentVariableDeleteApi,
        ),
        name="environment-variable",
    ),
]
