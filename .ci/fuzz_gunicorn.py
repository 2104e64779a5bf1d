"""gunicorn settings for .ci/fuzz.

With DEBUG off Django logs a 500 only to the (unset) admins' mail, so each worker sends
django.request errors, tracebacks included, to stderr, where .ci/fuzz.py counts them.
"""

import logging
from typing import Any


def post_worker_init(worker: Any) -> None:
    handler = logging.StreamHandler()
    handler.setLevel(logging.ERROR)  # 5xx only; 4xx are logged as warnings
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.getLogger("django.request").addHandler(handler)
