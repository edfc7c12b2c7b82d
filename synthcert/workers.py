"""Spawned render processes, each holding one Renderer: the one pool behind `render_dataset` and `SyntheticPool`.

Orchestration only: what a sample looks like is the Renderer's business, what happens to it the task's.
`run_chunks(task, chunks, ...)` calls `task(renderer, chunk, context)` for every chunk of indices and
yields `(position, result)` as chunks finish. With one worker it runs in this process on one Renderer
(built once, or the one passed in); with more, a `concurrent.futures` pool of spawned processes (the same
on every OS; a dead worker raises instead of hanging), each building its Renderer once, with OpenCV
single-threaded and SIGINT ignored: on Ctrl-C or an error the caller's loop ends, queued chunks are
dropped and running ones finish before the error goes on.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import cv2

from synthcert.config import RenderConfig
from synthcert.pipeline import Renderer

R = TypeVar("R")
Task = Callable[[Renderer, range, Any], R]

_worker: tuple[Renderer, Any] | None = None


def run_chunks(
    task: Task,
    chunks: Sequence[range],
    templates,
    config: RenderConfig,
    workers: int = 1,
    context: Any = None,
    renderer: Renderer | None = None,
) -> Iterator[tuple[int, R]]:
    """Yields `(k, task(renderer, chunks[k], context))` for every chunk, in the order chunks finish.

    Args:
        task: a module-level function (workers import it by name), called once per chunk.
        chunks: ranges of sample indices.
        templates, config: what each worker's Renderer is built from.
        workers: processes; 1 renders in this process.
        context: picklable data every call of `task` gets (e.g. where to write).
        renderer: with one worker, the Renderer to use instead of building one.

    Raises:
        RuntimeError: a worker process died (out of memory, killed, or it could not import the main script).
    """
    if workers <= 1:
        renderer = renderer or Renderer(templates, config)
        for k, chunk in enumerate(chunks):
            yield k, task(renderer, chunk, context)
        return
    pool = _spawn(templates, config, workers, context)
    try:
        with _deferred_interrupt() as interrupted:
            futures = {}
            for k, chunk in enumerate(chunks):
                futures[pool.submit(_run_in_worker, task, chunk)] = k
                interrupted.check()
            for future in as_completed(futures):
                interrupted.check()
                yield futures[future], future.result()
            interrupted.check()
    except BrokenProcessPool as e:
        raise RuntimeError(
            "a rendering worker process died: out of memory or killed, or it could not import the main "
            "script (spawned workers re-import it; guard it with `if __name__ == '__main__':`, or use one "
            "worker to render in this process)"
        ) from e
    finally:  # on an error, Ctrl-C or a caller that stops early: drop the queued chunks, finish the running ones
        pool.shutdown(wait=True, cancel_futures=True)


class _Interrupt:
    """Whether Ctrl-C was pressed; `check()` raises KeyboardInterrupt at a point where that is safe."""

    def __init__(self):
        self.pressed = False

    def check(self) -> None:
        if self.pressed:
            raise KeyboardInterrupt


@contextlib.contextmanager
def _deferred_interrupt():
    """Defers Ctrl-C to `check()` while a pool is fed and drained: a KeyboardInterrupt raised inside the
    executor's own code (a submit holding its locks) could leave a lock taken and the shutdown waiting for
    ever. Outside the main thread signals cannot be handled, and nothing changes."""
    state = _Interrupt()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return
    previous = signal.signal(signal.SIGINT, lambda *_: setattr(state, "pressed", True))
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)


class RenderProcesses:
    """Render processes that stay up and take chunks as they come: `submit(task, chunk)` returns a Future of
    `task(renderer, chunk, context)`. For work in the background (the renewing pool); `close()` ends them.

    Args:
        templates, config: what each process's Renderer is built from.
        workers: processes (at least 1).
        context: picklable data every task call gets.
    """

    def __init__(self, templates, config: RenderConfig, workers: int, context: Any = None):
        if workers < 1:
            raise ValueError(f"workers = {workers}; expected at least one render process")
        self._pool = _spawn(templates, config, workers, context)

    def submit(self, task: Task, chunk: range):
        return self._pool.submit(_run_in_worker, task, chunk)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _spawn(templates, config: RenderConfig, workers: int, context: Any) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(templates, config, context))


def _init_worker(templates, config: RenderConfig, context: Any) -> None:
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    cv2.setNumThreads(1)
    _worker = (Renderer(templates, config), context)


def _run_in_worker(task: Task, chunk: range):
    renderer, context = _worker
    return task(renderer, chunk, context)
