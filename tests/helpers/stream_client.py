"""A Streamlit websocket client for the proxy and session tests: one script run over a raw websocket,
from a chosen loopback source address, with any headers (forged ones too); returns the markdown shown."""

from __future__ import annotations

import socket

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect


def run_once(
    port: int,
    *,
    source: str = "127.0.0.1",
    query: str = "",
    headers: dict[str, str] | None = None,
    session_id: str | None = None,
    timeout_s: float = 30.0,
) -> tuple[str, list[str]]:
    """(the session id the server gave, the markdown texts the run drew); the socket is bound to `source`
    before it connects to 127.0.0.1:`port`, so the server's peer is that address."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.settimeout(timeout_s)
    sock.connect(("127.0.0.1", port))
    protocols = ["streamlit", "", session_id] if session_id else ["streamlit"]
    texts: list[str] = []
    given = ""
    with connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        sock=sock,
        additional_headers=headers or {},
        subprotocols=protocols,  # type: ignore[arg-type]
        open_timeout=timeout_s,
    ) as ws:
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
