"""The hosts a remote promotion may reach (PROMOTION_REMOTE_ENDPOINTS): checked when a profile is saved,
and again with the host resolved when a promotion connects; a profile's keys are typed again when its
endpoint moves to another host. Nothing here connects: a refused endpoint is refused before any request."""

from __future__ import annotations

import pytest

from factory.errors import ErrorCode, ValidationError
from factory.promotion.models import EnvironmentProfile
from factory.promotion.remote import RemoteFailure, remote_connect
from factory.promotion.selectors import profile_values
from factory.promotion.services import profile_update
from tests.builders import profile_body, profile_make, user_make, workspace_make

pytestmark = pytest.mark.django_db

HUAWEI = "https://dayu.cn-north-4.myhuaweicloud.com"


@pytest.fixture
def admin():
    return user_make("dev_admin")


@pytest.fixture
def dev(admin):
    return workspace_make("dev", admin=admin)


def _target(endpoint: str, **keys: str) -> dict[str, str]:
    return {
        "kind": "remote",
        "endpoint": endpoint,
        "projectId": "prodproject",
        "obsFolder": "obs://stage-bucket/promotion/",
        "accessKey": keys.get("ak", "PRODACCESSKEY0001"),
        "secretKey": keys.get("sk", "Prod-Remote-Secret-1"),
    }


def _update(profile: EnvironmentProfile, user, target: dict[str, str]) -> EnvironmentProfile:
    from factory.api.promotion.profiles import ProfileInputSerializer, spec_from_input

    data = ProfileInputSerializer(data=profile_body(profile.name, target=target))
    data.is_valid(raise_exception=True)
    return profile_update(profile=profile, user=user, spec=spec_from_input(data.validated_data))


@pytest.mark.parametrize(
    ("endpoint", "said"),
    [
        ("https://dataarts.prod.example.com", "does not allow promoting to dataarts.prod.example.com:443"),
        ("https://10.20.30.40", "does not allow promoting to 10.20.30.40:443"),
        ("https://dayu.cn-north-4.myhuaweicloud.com:8443", "does not allow promoting"),
        ("https://myhuaweicloud.com", "does not allow promoting"),  # *. is a subdomain
        ("http://dayu.cn-north-4.myhuaweicloud.com", "use https://"),
    ],
)
def test_a_profile_names_only_an_endpoint_the_console_allows(settings, dev, admin, endpoint, said):
    settings.PROMOTION_REMOTE_ENDPOINTS = "*.myhuaweicloud.com"

    with pytest.raises(ValidationError) as refused:
        profile_make(workspace=dev, user=admin, name="to_remote", target=_target(endpoint))

    assert refused.value.code == ErrorCode.PROFILE_TARGET_INVALID
    [message] = refused.value.fields["target.endpoint"]
    assert said in message and "PROMOTION_REMOTE_ENDPOINTS" in message
    assert not EnvironmentProfile.objects.exists()
    profile = profile_make(workspace=dev, user=admin, name="to_remote", target=_target(HUAWEI))
    assert profile.remote_endpoint == HUAWEI


def test_http_a_port_and_an_exact_host_are_allowed_as_the_setting_says(settings, dev, admin):
    settings.PROMOTION_REMOTE_ENDPOINTS = "*.myhuaweicloud.com, http://dayu.internal.test:8001 [::1]:*"

    for endpoint in ("http://dayu.internal.test:8001", "https://dayu.internal.test:8001", "https://[::1]:9"):
        assert profile_make(workspace=dev, user=admin, target=_target(endpoint)).remote_endpoint == endpoint
    with pytest.raises(ValidationError, match="does not allow"):
        profile_make(workspace=dev, user=admin, target=_target("http://dayu.internal.test:8002"))


def _connect_refusal(profile: EnvironmentProfile, endpoint: str) -> str:
    EnvironmentProfile.objects.filter(pk=profile.pk).update(remote_endpoint=endpoint)
    profile.refresh_from_db()
    with pytest.raises(RemoteFailure) as refused:
        remote_connect(profile=profile)
    return refused.value.message


def test_connecting_refuses_an_internal_address_unless_its_host_is_named(settings, dev, admin):
    profile = profile_make(workspace=dev, user=admin, name="to_remote", target=_target(HUAWEI))
    settings.PROMOTION_REMOTE_ENDPOINTS = "* http://*.test:*"  # any host: a public address only

    for endpoint in (
        "https://localhost",
        "https://127.0.0.1",
        "https://10.1.2.3",
        "https://169.254.169.254",  # the cloud's metadata service
        "https://[::1]",
        "https://[::ffff:192.168.0.1]",
    ):
        message = _connect_refusal(profile, endpoint)
        assert message.startswith(f"{endpoint} (project prodproject) is not reached from this console")
        assert "loopback, private or link-local address" in message, message
    assert "does not resolve" in _connect_refusal(profile, "http://no-such-host.invalid.test:80")
    # The setting is read when connecting too: a host it no longer lists is refused.
    settings.PROMOTION_REMOTE_ENDPOINTS = "*.myhuaweicloud.com"
    assert "does not allow promoting to 10.1.2.3:443" in _connect_refusal(profile, "https://10.1.2.3")

    # A host named exactly may be internal (the operator's own console).
    settings.PROMOTION_REMOTE_ENDPOINTS = "*.myhuaweicloud.com http://localhost:8001 10.1.2.3"
    for endpoint in ("http://localhost:8001", "https://10.1.2.3"):
        EnvironmentProfile.objects.filter(pk=profile.pk).update(remote_endpoint=endpoint)
        profile.refresh_from_db()
        assert remote_connect(profile=profile).endpoint == endpoint  # no request is made yet


def test_the_keys_are_typed_again_when_the_endpoint_moves_to_another_host(settings, dev, admin):
    settings.PROMOTION_REMOTE_ENDPOINTS = "*.myhuaweicloud.com"
    profile = profile_make(workspace=dev, user=admin, name="to_remote", target=_target(HUAWEI))
    no_keys = {"ak": "", "sk": ""}

    # The same host: the stored keys are kept.
    kept = _update(profile, admin, {**_target(HUAWEI + "/", **no_keys), "projectId": "other"})
    assert profile_values(profile=kept).secret_key == "Prod-Remote-Secret-1"

    with pytest.raises(ValidationError) as refused:
        _update(profile, admin, _target("https://dayu.ap-southeast-1.myhuaweicloud.com", **no_keys))
    assert refused.value.code == ErrorCode.VALUE_REQUIRED
    assert set(refused.value.fields) == {"target.accessKey", "target.secretKey"}
    assert "the endpoint's host changed" in refused.value.fields["target.secretKey"][0]
    profile.refresh_from_db()
    assert profile.remote_endpoint == HUAWEI  # nothing changed

    moved = _update(
        profile,
        admin,
        _target("https://dayu.ap-southeast-1.myhuaweicloud.com", ak="NEWAK0001", sk="New-SK-2"),
    )
    assert moved.remote_endpoint == "https://dayu.ap-southeast-1.myhuaweicloud.com"
    assert profile_values(profile=moved).secret_key == "New-SK-2"
