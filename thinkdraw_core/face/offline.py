"""A worker thread that cannot reach the network, for MediaPipe.

MediaPipe's native library, in the releases after 0.10.21, posts usage logs to a Google host from
threads of its own (google-ai-edge/mediapipe#6291) and offers no switch to turn that off; the last
release without it needs numpy < 2 and jax, which a ComfyUI install cannot take. So every MediaPipe
call ThinkDraw makes (create, detect, close) runs on an `OfflineWorker` thread, which first loads a
seccomp filter that refuses it internet sockets (AF_INET, AF_INET6 fail with EACCES). A filter binds
the thread that loads it and every thread that thread starts later, which is where the library starts
its uploader, so the upload fails before a DNS query leaves the machine. The rest of the process
(ComfyUI's server, a user's LLM endpoint on other threads) keeps its network.

Where seccomp cannot be loaded (not Linux, or libseccomp missing) the worker still runs, and says
once in the log that MediaPipe's own traffic is not blocked there.
"""
from __future__ import annotations

import errno
import logging
import queue
import socket
import threading
from concurrent.futures import Future
from typing import Any, Callable

log = logging.getLogger("ThinkDraw")

_warned = False


def refuse_internet_sockets() -> bool:
    """Load, for the calling thread and the threads it starts from now on, a filter that makes
    socket(AF_INET|AF_INET6, ...) fail. False (and one warning) where that is not possible."""
    global _warned
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for family in (socket.AF_INET, socket.AF_INET6):
            rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, family))
        rules.load()
        return True
    except Exception as exc:  # noqa: BLE001 - ImportError, a missing libseccomp, a kernel without seccomp
        if not _warned:
            _warned = True
            log.warning("[ThinkDraw] could not confine MediaPipe's threads (%s): its native library may send "
                        "usage logs to Google from this machine (google-ai-edge/mediapipe#6291)", exc)
        return False


class OfflineWorker:
    """Runs calls one at a time on a daemon thread with no internet sockets. A daemon thread, not a
    ThreadPoolExecutor: it must still take the closing call from an atexit handler, after executors
    stop accepting work."""

    def __init__(self, name: str = "thinkdraw-offline"):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        ready: Future = Future()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name=name, daemon=True)
        self._thread.start()
        self.confined = ready.result()

    def _serve(self, ready: Future) -> None:
        ready.set_result(refuse_internet_sockets())
        while True:
            fn, args, done = self._jobs.get()
            if fn is None:
                return
            if done.set_running_or_notify_cancel():
                try:
                    done.set_result(fn(*args))
                except BaseException as exc:  # noqa: BLE001 - handed to the caller as is
                    done.set_exception(exc)

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        if threading.current_thread() is self._thread:
            return fn(*args)
        done: Future = Future()
        self._jobs.put((fn, args, done))
        return done.result()

    def stop(self) -> None:
        self._jobs.put((None, (), None))
