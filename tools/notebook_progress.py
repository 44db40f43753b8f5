"""Live progress of notebooks executed with nbclient.

`ProgressClient` is an nbclient `NotebookClient` that reports, on a stream
(stderr by default), the notebook and cell it is on, the elapsed time and,
while a cell trains, the training's own progress (epoch, batch, loss,
examples/s) with an estimated time left. The training loop (lib/train/live.ts)
shows its progress bar as a display output whose text/plain part reads
"epoch 2/5, batch 120/469: loss 0.4123, 812.3 examples/s" and updates it in
place (update_display_data); this client reads those messages as they arrive,
so nothing in the kernel or the notebooks changes for it.

On a terminal the line is rewritten in place every second; elsewhere (a CI
log, a pipe) a new line is printed when a cell starts and at most every
`interval` seconds while it runs.

Usage from any nbclient script:
    from notebook_progress import ProgressClient
    ProgressClient(nb, kernel_name="deno-webgpu", label="04_training").execute()
"""
import re
import sys
import threading
import time

from nbclient import NotebookClient

# The text of lib/train/live.ts's progress output.
TRAINING = re.compile(
    r"epoch (?P<epoch>\d+)/(?P<epochs>\d+), batch (?P<batch>\d+)/(?P<batches>\d+): "
    r"loss (?P<loss>[0-9.eE+-]+|NaN|Infinity), (?P<rate>[0-9.]+) examples/s"
)


def clock(seconds: float) -> str:
    """Seconds as 42s, 3m07s or 1h02m."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m"


class Training:
    """One training run seen through its progress display (one display id)."""

    def __init__(self, now: float):
        self.started = now
        self.text = ""
        self.done = 0.0

    def update(self, match: re.Match, now: float) -> None:
        epoch, epochs = int(match["epoch"]), int(match["epochs"])
        batch, batches = int(match["batch"]), int(match["batches"])
        self.done = (epoch - 1 + batch / batches) / epochs
        self.text = (
            f"epoch {epoch}/{epochs}, batch {batch}/{batches}, "
            f"loss {match['loss']}, {match['rate']} examples/s"
        )

    def eta(self, now: float) -> str:
        """Time left at the run's average pace so far (evaluations included)."""
        if self.done <= 0:
            return "ETA ?"
        return f"ETA {clock((now - self.started) * (1 - self.done) / self.done)}"


class ProgressLine:
    """The one line of progress and where it goes."""

    def __init__(self, stream=None, interval: float = 15.0):
        self.stream = stream or sys.stderr
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.interval = interval
        self.lock = threading.Lock()
        self.last_print = 0.0
        self.label = ""
        self.cell = ""
        self.notebook_started = self.cell_started = time.monotonic()
        self.training = {}
        self.current = None

    def text(self, now: float) -> str:
        parts = [
            f"{self.label} {self.cell}",
            f"{clock(now - self.notebook_started)} (cell {clock(now - self.cell_started)})",
        ]
        if self.current is not None and self.current.text:
            parts.append(f"{self.current.text}, {self.current.eta(now)}")
        return " | ".join(parts)

    def show(self, force: bool = False) -> None:
        now = time.monotonic()
        with self.lock:
            if self.live:
                width = 200
                self.stream.write("\r\x1b[K" + self.text(now)[:width])
                self.stream.flush()
            elif force or now - self.last_print >= self.interval:
                self.stream.write(self.text(now) + "\n")
                self.stream.flush()
            else:
                return
            self.last_print = now

    def end(self) -> None:
        """Leaves the terminal on a fresh line."""
        with self.lock:
            if self.live:
                self.stream.write("\r\x1b[K")
                self.stream.flush()


class ProgressClient(NotebookClient):
    """A NotebookClient that reports live progress (see the module doc)."""

    def __init__(self, nb, label: str = "", stream=None, interval: float = 15.0, **kwargs):
        super().__init__(nb, **kwargs)
        self.progress = ProgressLine(stream, interval)
        self.progress.label = label or "notebook"
        self.code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        self._stop = threading.Event()

    def async_execute(self, *args, **kwargs):
        return self._with_ticker(super().async_execute(*args, **kwargs))

    async def _with_ticker(self, work):
        self.progress.notebook_started = time.monotonic()
        ticker = threading.Thread(target=self._tick, daemon=True)
        ticker.start()
        try:
            return await work
        finally:
            self._stop.set()
            ticker.join()
            self.progress.end()

    def _tick(self) -> None:
        # Keeps the elapsed time moving through a long silent cell.
        while not self._stop.wait(1.0 if self.progress.live else self.progress.interval):
            self.progress.show()

    async def async_execute_cell(self, cell, cell_index, *args, **kwargs):
        if cell.cell_type == "code":
            position = self.code_cells.index(cell_index) + 1
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            first = first if len(first) <= 40 else first[:39] + "…"
            self.progress.cell = f"cell {position}/{len(self.code_cells)} `{first}`"
            self.progress.cell_started = time.monotonic()
            self.progress.current = None
            self.progress.show(force=True)
        return await super().async_execute_cell(cell, cell_index, *args, **kwargs)

    def process_message(self, msg, cell, cell_index):
        if msg["msg_type"] in ("display_data", "update_display_data"):
            text = msg["content"].get("data", {}).get("text/plain", "")
            match = TRAINING.match(text) if isinstance(text, str) else None
            if match:
                now = time.monotonic()
                key = msg["content"].get("transient", {}).get("display_id", "")
                run = self.progress.training.setdefault(key, Training(now))
                run.update(match, now)
                self.progress.current = run
                self.progress.show()
        return super().process_message(msg, cell, cell_index)
