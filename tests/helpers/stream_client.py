"""A Streamlit websocket client for the proxy and session tests: one script run over a raw websocket,
from a chosen loopback source address, with any headers (forged ones too); returns the markdown shown."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def wait_for(url: str, process: subprocess.Popen, timeout_s: float = 90.0) -> None:
    """Until `url` answers 200 (the process is up), or an error if the process ended first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} ended with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


@contextmanager
def streamlit_app(script: str, port: int, env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen]:
    """A real `streamlit run` of one of this folder's scripts on 127.0.0.1:`port`, stopped afterwards."""
    app = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "tests/helpers" / script),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "GOLD_DASHBOARD_OFFLINE": "1", **env},
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/_stcore/health", app)
        yield app
    finally:
        app.terminate()
        app.wait(timeout=20)


def run_once(
    port: int,
    *,
    source: str = "127.0.0.1",
    query: str = "",
    headers: dict[str, str] | None = None,
    session_id: str | None = None,
    timeout_s: float = 30.0,
    hold: list | None = None,
) -> tuple[str, list[str]]:
    """(the session id the server gave, the markdown texts the run drew); the socket is bound to `source`
    before it connects to 127.0.0.1:`port`, so the server's peer is that address."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.settimeout(timeout_s)
    sock.connect(("127.0.0.1", port))
    protocols = ["streamlit", "noxsrf", session_id] if session_id else ["streamlit"]
    texts: list[str] = []
    given = ""
    opened = ExitStack()
    ws = opened.enter_context(
        connect(
            f"ws://127.0.0.1:{port}/_stcore/stream",
            sock=sock,
            additional_headers=headers or {},
            subprotocols=protocols,  # type: ignore[arg-type]
            open_timeout=timeout_s,
        )
    )
    try:
        message = BackMsg()
        message.rerun_script.query_string = query
        ws.send(message.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(ws.recv(timeout=timeout_s))  # type: ignore[arg-type]
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                given = forward.new_session.initialize.session_id
            elif kind == "delta" and forward.delta.new_element.WhichOneof("type") == "markdown":
                texts.append(forward.delta.new_element.markdown.body)
            elif kind == "script_finished":
                return given, texts
    finally:
        if hold is None:
            opened.close()
        else:
            hold.append(opened)  # left open, the caller closes it: a browser tab still connected
