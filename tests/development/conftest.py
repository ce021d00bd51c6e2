from tests.development.fixtures import *  # noqa: F403
