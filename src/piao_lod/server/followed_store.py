"""A server over ``--store`` follows the loads: after ``piao-lod load`` swaps in a new store, the next
request opens it, and the old one is let go once no request reads it any more.

A load never changes the directory a reader has open; it swaps a new one in beside it
(:mod:`piao_lod.store_directory`). So what a server holds is one store generation, the
(device, inode) of that directory. Each request looks at most every second
whether the path now holds another generation: the pages are then rendered from a new
catalogue (their ETag changes with it), and the query workers holding the old store are
replaced one by one as they come back idle (:class:`~piao_lod.server.query_workers.QueryWorkers`).
An old catalogue still rendering a page keeps its store until it is done; its directory is
unpinned after, so the next load can delete it instead of keeping it as ``DIR.old-N``.
"""

from __future__ import annotations

import asyncio
import gc
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from piao_lod.server.store_pages import StorePages
from piao_lod.store_directory import StoreGeneration, unpin
from piao_lod.website.store_site import StoreCatalogue


class FollowedStorePages:
    """The pages of the store at a path as the latest load left it (see the module's docstring)."""

    def __init__(self, open_pages: Callable[[], StorePages], generation: StoreGeneration):
        self.open_pages, self.generation = open_pages, generation
        self.current = open_pages()
        self.retired: list[tuple[weakref.ref, tuple[int, int]]] = []
        self.opening = asyncio.Lock()
        self.last_let_go = float("-inf")

    @property
    def catalogue(self) -> StoreCatalogue:
        return self.current.catalogue

    async def answer(self, request: Request, path: str, format: str | None) -> Response:
        if self.generation.replaced(self.current.catalogue.generation):
            async with self.opening:
                if self.generation.replaced(self.current.catalogue.generation):
                    fresh = await run_in_threadpool(self.open_pages)
                    old, self.current = self.current, fresh
                    if old.catalogue.generation not in (None, fresh.catalogue.generation):
                        self.retired.append((weakref.ref(old.catalogue), old.catalogue.generation))
                    del old
        if self.retired and time.monotonic() - self.last_let_go >= self.generation.interval:
            self.let_go()
        return await self.current.answer(request, path, format)

    def let_go(self) -> None:
        """Unpin the old stores no request reads any more (their catalogues are collected: the stores are closed)."""
        self.last_let_go = time.monotonic()
        gc.collect()
        still = []
        for catalogue, generation in self.retired:
            if catalogue() is None:
                unpin(generation)
            else:
                still.append((catalogue, generation))
        self.retired = still
