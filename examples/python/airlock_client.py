"""Agent-side client for the Airlock broker, over its Unix socket.

Copy this file into an agent framework: it needs only `httpx`. The framework's admin creates a
task (`airlock task create --policy ...`) and hands the agent the task's token; the agent sends
each tool call its model produced through `AirlockClient.call` and gives the model either the
tool's output or the broker's denial, which is written for a model to act on.

    from airlock_client import AirlockClient, AirlockDenied

    with AirlockClient(socket_path=".airlock/airlock.sock", token=token) as airlock:
        try:
            result = airlock.call("read_file", {"path": "README.md", "lines": 20})
            print(result.stdout)
        except AirlockDenied as denial:
            print(denial.code, denial.detail)
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["AirlockClient", "CallResult", "AirlockError", "AirlockDenied", "AirlockBusy"]


class AirlockError(Exception):
    """The broker answered with an RFC 9457 problem (`code`, `detail`, `status`)."""

    def __init__(self, problem: dict[str, Any], status: int):
        self.problem = problem
        self.status = status
        self.code: str = problem.get("code", f"http_{status}")
        self.detail: str = problem.get("detail", "")
        super().__init__(f"{status} {self.code}: {self.detail}")


class AirlockDenied(AirlockError):
    """The call was refused (HTTP 403). `detail` is meant to be shown to the model."""


class AirlockBusy(AirlockError):
    """Every sandbox is busy, or this task runs its share of calls (HTTP 429)."""

    def __init__(self, problem: dict[str, Any], status: int, retry_after: float):
        super().__init__(problem, status)
        self.retry_after = retry_after


@dataclass
class CallResult:
    """What one allowed call did. `exit_code` is None when the tool did not exit on its own
    (a signal, a limit, a seccomp violation): `termination["reason"]` says which.

    `stdout` and `stderr` are what the broker's output channel delivered for the tool's sink
    (for the default `model` sink: escape sequences stripped, secrets redacted, framed in
    `<tool_output ...>` tags); `findings` lists what it changed. `rejection` is set when the
    output broke the tool's promised format (`output_invalid`); then the stream is None."""

    call_id: str
    exit_code: int | None
    stdout: Any
    stderr: Any
    termination: dict[str, Any]
    stdout_truncated: bool
    stderr_truncated: bool
    findings: list[dict[str, Any]]
    rejection: dict[str, Any] | None
    usage: dict[str, Any]
    timing: dict[str, Any]
    raw: dict[str, Any] = field(repr=False)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.rejection is None


class AirlockClient:
    """Calls tools through the broker with one task's token.

    `socket_path` defaults to $AIRLOCK_SOCKET, else `.airlock/airlock.sock`; `token` to
    $AIRLOCK_TOKEN. `busy_retries` is how often a 429 is retried after its `Retry-After`.
    `timeout` is in seconds (None: wait as long as the tool's own limits allow).
    """

    def __init__(self, socket_path: str | None = None, token: str | None = None,
                 timeout: float | None = None, busy_retries: int = 3):
        self.socket_path = socket_path or os.environ.get("AIRLOCK_SOCKET", ".airlock/airlock.sock")
        token = token or os.environ.get("AIRLOCK_TOKEN")
        if not token:
            raise ValueError("give the task's token, or set AIRLOCK_TOKEN")
        self.busy_retries = busy_retries
        self._http = httpx.Client(
            transport=httpx.HTTPTransport(uds=self.socket_path),
            base_url="http://airlock",
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )

    def __enter__(self) -> "AirlockClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def call(self, tool: str, arguments: dict[str, Any] | None = None,
             call_id: str | None = None) -> CallResult:
        """Runs one tool call. Raises AirlockDenied, AirlockBusy (after the retries) or
        AirlockError; a tool that fails is not an exception: look at `exit_code`."""
        body: dict[str, Any] = {"tool": tool, "arguments": arguments or {}}
        if call_id is not None:
            body["callId"] = call_id
        for attempt in range(self.busy_retries + 1):
            try:
                return self._call_once(body)
            except AirlockBusy as busy:
                if attempt == self.busy_retries:
                    raise
                time.sleep(busy.retry_after)
        raise AssertionError("unreachable")

    def tool_message(self, tool: str, arguments: dict[str, Any] | None = None) -> str:
        """The text to hand back to the model for this call: the output, or the reason it was
        refused, so the model can correct its next call."""
        try:
            result = self.call(tool, arguments)
        except AirlockDenied as denial:
            return f"The call was refused ({denial.code}): {denial.detail}"
        if result.rejection is not None:
            return f"The tool's output was withheld ({result.rejection['code']}): {result.rejection['message']}"
        if result.ok:
            return result.stdout
        reason = result.termination.get("reason")
        status = f"exit code {result.exit_code}" if result.exit_code is not None else reason
        return f"The tool failed ({status}).\n{result.stdout}{result.stderr}"

    def _call_once(self, body: dict[str, Any]) -> CallResult:
        response = self._http.post("/v1/calls", json=body)
        if response.status_code == 200:
            return _result(response.json())
        problem = _problem(response)
        if response.status_code == 403:
            raise AirlockDenied(problem, 403)
        if response.status_code == 429:
            raise AirlockBusy(problem, 429, float(response.headers.get("retry-after", "1")))
        raise AirlockError(problem, response.status_code)


def _result(envelope: dict[str, Any]) -> CallResult:
    return CallResult(
        call_id=envelope["callId"],
        exit_code=envelope.get("exitCode"),
        stdout=envelope["stdout"]["content"],
        stderr=envelope["stderr"]["content"],
        termination=envelope["termination"],
        stdout_truncated=envelope["stdout"]["truncation"] is not None,
        stderr_truncated=envelope["stderr"]["truncation"] is not None,
        findings=envelope["findings"],
        rejection=envelope["rejection"],
        usage=envelope["usage"],
        timing=envelope["timing"],
        raw=envelope,
    )


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        value = response.json()
        if isinstance(value, dict):
            return value
    except ValueError:
        pass
    return {"code": f"http_{response.status_code}", "detail": response.text}


def main(argv: list[str]) -> int:
    """`python airlock_client.py TOOL [JSON_ARGUMENTS]`, with $AIRLOCK_TOKEN (and
    $AIRLOCK_SOCKET) set: prints the result envelope; exit status as `airlock call`."""
    if len(argv) not in (2, 3):
        print("usage: airlock_client.py TOOL [JSON_ARGUMENTS]", file=sys.stderr)
        return 2
    arguments = json.loads(argv[2]) if len(argv) == 3 else {}
    with AirlockClient() as airlock:
        try:
            result = airlock.call(argv[1], arguments)
        except AirlockDenied as denial:
            print(f"denied: {denial.code}: {denial.detail}", file=sys.stderr)
            return 4
        except AirlockError as error:
            print(f"refused: {error}", file=sys.stderr)
            return 5
    print(json.dumps(result.raw, indent=2))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
