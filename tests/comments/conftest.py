import time

import pytest
from django.core import signing

from comments.forms import TIMESTAMP_SALT


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    """Most tests post several comments from one address; the rate-limit tests set their own."""
    settings.COMMENTS_RATE_LIMITS = []


def aged_timestamp(post, seconds=10):
    return signing.dumps({"post": post.pk, "at": time.time() - seconds}, salt=TIMESTAMP_SALT)


@pytest.fixture
def form_data(post):
    """Build valid form fields for a comment on `post`, overriding any of them."""

    def build(**overrides):
        data = {
            "author_name": "张三",
            "author_email": "zhangsan@example.com",
            "author_url": "",
            "body": "很有启发的推导，$x_1 * y_2$ 这一步没看懂。",
            "timestamp": aged_timestamp(overrides.pop("for_post", post)),
            "homepage": "",
        }
        data.update(overrides)
        return data

    return build
