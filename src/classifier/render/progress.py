"""A progress bar on standard error, for large batches whose output goes elsewhere (``> file``, ``| jq``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..batch import Result


def with_progress(results: Iterable[Result], total: int) -> Iterator[Result]:
    """Pass ``results`` on, advancing a bar of ``total`` inputs (documents of one input count once)."""
    iterator = iter(results)
    first = next(
        iterator, None
    )  # worker processes start before the bar's thread: no fork in a threaded process
    if first is None:
        return
    columns = (TextColumn("classifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("classify", total=total)
        last = None
        for result in chain((first,), iterator):
            source = result.source.split("#", 1)[0]
            if source != last:
                progress.advance(task)
                last = source
            yield result
