/**
 * Runs `work` on every item with at most `limit` at a time. The first error thrown ends it: no item is started after
 * it, and it is thrown once those already started have ended, so that nothing is still running when the caller hears.
 */
export async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++] as T);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failed.error;
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
