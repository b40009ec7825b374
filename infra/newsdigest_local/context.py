"""A Lambda context object for handlers invoked on this machine."""

from __future__ import annotations

import time
import uuid

from newsdigest_local.template import ACCOUNT, REGION, local_name


class LocalContext:
    function_version = "$LATEST"

    def __init__(self, logical_id: str, memory_mb: int, timeout_s: int) -> None:
        self.function_name = local_name(logical_id)
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]local")
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
