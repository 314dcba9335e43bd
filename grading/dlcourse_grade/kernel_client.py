"""A Jupyter kernel client that cannot miss a reply: every wait on a kernel socket is re-checked.

Why this exists. nbclient (behind ``tools/record_outputs.py``, ``benchmarks.notebooks`` and
nbgrader's autograde) waits for a cell's ``execute_reply`` with a single
``await socket.poll(timeout)`` on a ``zmq.asyncio`` socket. ``zmq.asyncio`` learns that a message
has arrived from the socket's ``ZMQ_FD``, which is *edge*-triggered: it signals a change once,
and any other libzmq call on the socket in between (a send, a ``getsockopt(EVENTS)``) consumes
that signal. When that happens the message sits in the socket while the event loop waits for a
signal that already went by; the wait ends only when the poll's timeout runs out (pyzmq checks
the socket once more then). Under CPU load this is what the course saw as "explorer cells stall":
a kernel idle, the reply already sent, and the client asleep until the 150 s or 600 s cell
timeout — or forever, with no timeout.

The fix is at that wait: :class:`ResilientChannel` never waits on one edge for longer than
:data:`POLL_SLICE` seconds; each new slice starts with a fresh check of the socket, so a lost
wake-up costs at most one slice, and a timeout still means what it says. nbval is not affected
(its blocking client polls with ``zmq_poll``, which is level-triggered).

Use :class:`ResilientKernelManager` wherever nbclient runs a notebook::

    NotebookClient(nb, kernel_manager_class=ResilientKernelManager, ...)

and, for nbgrader, ``c.Execute.kernel_manager_class = "dlcourse_grade.kernel_client.ResilientKernelManager"``
(the course's ``nbgrader_config.py`` sets it). ``tests/test_kernel_client.py`` reproduces the lost
wake-up deterministically and fails if this client ever waits past a slice again.
"""

from __future__ import annotations

import time
from queue import Empty
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type

__all__ = ["POLL_SLICE", "ResilientChannel", "ResilientKernelClient", "ResilientKernelManager", "notebook_client"]

#: Longest single wait on a socket in seconds, which is the most a lost wake-up can cost.
POLL_SLICE = 0.2


class ResilientChannel(AsyncZMQSocketChannel):
    """An asyncio kernel channel whose ``get_msg`` polls in slices of :data:`POLL_SLICE` seconds."""

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:  # type: ignore[override]
        """The next message; raises ``queue.Empty`` if none arrives within ``timeout`` seconds (``None``: wait).

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait at most; ``None`` waits until a message arrives.

        Returns
        -------
        dict
            The message, as ``jupyter_client`` deserialises it.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = POLL_SLICE if deadline is None else min(POLL_SLICE, max(0.0, deadline - time.monotonic()))
            if await self.socket.poll(int(wait * 1000)):
                return await self._recv()
            if deadline is not None and time.monotonic() >= deadline:
                raise Empty


class ResilientKernelClient(AsyncKernelClient):
    """``AsyncKernelClient`` with :class:`ResilientChannel` on every zmq channel."""

    shell_channel_class = Type(ResilientChannel)  # type: ignore[assignment]
    iopub_channel_class = Type(ResilientChannel)  # type: ignore[assignment]
    stdin_channel_class = Type(ResilientChannel)  # type: ignore[assignment]
    control_channel_class = Type(ResilientChannel)  # type: ignore[assignment]


class ResilientKernelManager(AsyncKernelManager):
    """``AsyncKernelManager`` whose clients are :class:`ResilientKernelClient`."""

    client_class = DottedObjectName("dlcourse_grade.kernel_client.ResilientKernelClient", config=True)
    # the factory is what ``client()`` calls; AsyncKernelManager's default ignores client_class
    client_factory = Type(ResilientKernelClient, klass=AsyncKernelClient, config=True)


def notebook_client(nb, **kwargs):
    """``nbclient.NotebookClient(nb, **kwargs)`` on a :class:`ResilientKernelManager`.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook to execute.
    **kwargs
        Further arguments of ``NotebookClient`` (``timeout``, ``kernel_name``, ``resources``, …).

    Returns
    -------
    nbclient.NotebookClient
        The client, not yet run.
    """
    from nbclient import NotebookClient

    return NotebookClient(nb, kernel_manager_class=ResilientKernelManager, **kwargs)
