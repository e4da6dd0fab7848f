"""The fetch chain, after Scrapy's downloader middlewares: a list of steps, each with a request hook and a
response hook, and the downloader at the end.

`Chain.run(request)` calls each step's `on_request` in order until one returns a Response (a refusal),
else the downloader sends the request; then every step's `on_response` runs, in reverse order, on what
came back -- refused or not, as Scrapy calls every process_response. A step that wants another request
(a retry, a redirect) sets `response.follow`; the Fetcher runs it through the whole chain again, so a
redirect hop meets the allowlist, robots.txt and pacing like a first hop, and robots.txt itself travels
the same chain (one redirect loop, not two).
"""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

from tracker.fetch.exchange import FetchResult, Request, Response
from tracker.fetch.steps import Step

S = TypeVar("S", bound=Step)


class Chain:
    def __init__(self, steps: Sequence[Step], download: Callable[[Request], Response]):
        self.steps = tuple(steps)
        self.download = download

    def run(self, req: Request) -> Response:
        try:
            resp = None
            for step in self.steps:
                resp = step.on_request(req)
                if resp is not None:
                    break
            else:
                resp = self.download(req)
            for step in reversed(self.steps):
                step.on_response(req, resp)
        except BaseException:
            for step in self.steps:
                step.on_abort(req)
            raise
        return resp

    def finish(self, result: FetchResult) -> None:
        for step in self.steps:
            step.on_result(result)

    def step(self, kind: type[S]) -> S:
        """The chain's step of that kind (a subclass of it counts)."""
        return next(step for step in self.steps if isinstance(step, kind))

    def names(self) -> list[str]:
        return [type(step).__name__ for step in self.steps]
