/**
 * Storage calls resolve without returning to the event loop (SQLite is synchronous), so a loop
 * of them would starve every request and watch. Background loops call this every few items.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A counter that yields to the event loop every `every` calls. */
export function yieldEvery(every: number): () => Promise<void> {
  let n = 0;
  return async () => {
    if (++n % every === 0) await yieldToEventLoop();
  };
}
