/** Runs `work` on every item with at most `limit` at a time; the first error thrown ends it. */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** `work` on every item, at most `limit` at a time, the results in the items' order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  await eachLimited(
    items.map((item, i) => [item, i] as const),
    limit,
    async ([item, i]) => {
      results[i] = await work(item);
    },
  );
  return results;
}
