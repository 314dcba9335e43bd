"""The explorer-cell stall (issue 26): a kernel reply that a ``zmq.asyncio`` wait misses.

``test_lost_wake_up_*`` reproduce the cause deterministically: a reply arrives while the client
waits, and one libzmq call on the socket consumes the edge-triggered wake-up before the event
loop sees it. The stock channel then sleeps until its timeout; the course's channel must return
within one poll slice. If that ever comes back, these tests fail (no cell timeout hides it: the
wait here is bounded only by the assertion).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from queue import Empty

import nbformat
import pytest
import zmq
import zmq.asyncio
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.session import Session
from traitlets.config.loader import PyFileConfigLoader

from dlcourse_grade.kernel_client import POLL_SLICE, ResilientChannel, ResilientKernelManager, notebook_client

ROOT = Path(__file__).resolve().parents[1]
WAIT = 3.0  # the channel's timeout in these tests: far longer than a slice


async def _reply_after_lost_wake_up(channel_class) -> tuple[float, str]:
    """Seconds ``get_msg`` takes to return a reply that was already waiting when its wake-up was lost."""
    context = zmq.asyncio.Context()
    kernel_side = zmq.Context.instance().socket(zmq.ROUTER)
    port = kernel_side.bind_to_random_port("tcp://127.0.0.1")
    client_side = context.socket(zmq.DEALER)
    client_side.connect(f"tcp://127.0.0.1:{port}")
    session = Session(key=b"")
    try:
        await client_side.send(b"connect")
        identity, _ = kernel_side.recv_multipart()
        channel = channel_class(client_side, session)
        waiting = asyncio.ensure_future(channel.get_msg(timeout=WAIT))
        await asyncio.sleep(0.05)  # the client now waits on the socket's file descriptor
        session.send(kernel_side, "execute_reply", {"status": "ok"}, ident=identity)
        time.sleep(0.1)  # the reply arrives while the event loop is not running ...
        zmq.Socket.shadow(client_side.underlying).getsockopt(zmq.EVENTS)  # ... and its edge is consumed
        assert zmq.Socket.shadow(client_side.underlying).getsockopt(zmq.EVENTS) & zmq.POLLIN, "the reply is there"
        start = time.monotonic()
        message = await waiting
        return time.monotonic() - start, message["msg_type"]
    finally:
        client_side.close(0)
        kernel_side.close(0)
        context.term()


def test_lost_wake_up_stalls_the_stock_channel():
    """The cause, shown: jupyter_client's asyncio channel sleeps until its timeout with the reply waiting."""
    seconds, _ = asyncio.run(_reply_after_lost_wake_up(AsyncZMQSocketChannel))
    if seconds < 1:
        pytest.skip(f"this pyzmq/jupyter_client no longer loses the wake-up ({seconds:.2f} s)")
    assert seconds > WAIT / 2


def test_lost_wake_up_costs_the_course_channel_at_most_a_slice():
    seconds, msg_type = asyncio.run(_reply_after_lost_wake_up(ResilientChannel))
    assert msg_type == "execute_reply"
    assert seconds <= POLL_SLICE + 0.5, f"the reply waited {seconds:.2f} s: a lost wake-up stalls the client again"


def test_timeout_still_means_no_message():
    async def wait_for_nothing() -> float:
        context = zmq.asyncio.Context()
        socket = context.socket(zmq.DEALER)
        socket.bind("tcp://127.0.0.1:*")
        try:
            start = time.monotonic()
            with pytest.raises(Empty):
                await ResilientChannel(socket, Session(key=b"")).get_msg(timeout=0.5)
            return time.monotonic() - start
        finally:
            socket.close(0)
            context.term()

    assert 0.45 <= asyncio.run(wait_for_nothing()) < 1.5


def test_notebook_client_runs_widget_cells_on_resilient_channels():
    """Every tool that runs notebooks through nbclient gets the course's channels, widgets included."""
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import ipywidgets as w\nw.IntSlider(value=3)"),
            nbformat.v4.new_code_cell("1 + 1"),
        ]
    )
    client = notebook_client(nb, timeout=60, kernel_name="python3", store_widget_state=True)
    with client.setup_kernel():
        for channel in (client.kc.shell_channel, client.kc.iopub_channel):
            assert isinstance(channel, ResilientChannel)
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    assert nb.cells[1].outputs[0]["data"]["text/plain"] == "2"
    assert "application/vnd.jupyter.widget-view+json" in nb.cells[0].outputs[0]["data"]


def test_every_notebook_runner_uses_the_resilient_client():
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    assert config.Execute.kernel_manager_class == "dlcourse_grade.kernel_client.ResilientKernelManager"
    from dlcourse_grade import grade, sandbox

    # dlcourse-grade: the sandbox's manager is a resilient one, and so is the unsandboxed fallback
    assert issubclass(sandbox.SandboxedKernelManager, ResilientKernelManager)
    source = Path(grade.single.__file__).read_text()  # grade_one picks the kernel manager
    assert '"dlcourse_grade.sandbox.SandboxedKernelManager"' in source
    assert '"dlcourse_grade.kernel_client.ResilientKernelManager"' in source
    for runner in ("tools/record_outputs.py", "benchmarks/notebooks.py"):
        source = (ROOT / runner).read_text()
        assert "notebook_client(" in source and "NotebookClient(" not in source, runner
    assert ResilientKernelManager().client_class == "dlcourse_grade.kernel_client.ResilientKernelClient"
