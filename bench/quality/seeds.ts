/** `1-10`, `1,4,7` or `3`: the seeds a sweep runs, each once, in the order given. */
export function parseSeeds(text: string): number[] {
  const seeds = text.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map((n) => Number(n.trim()));
    if (from === undefined || !Number.isInteger(from) || from < 0 || (to !== undefined && (!Number.isInteger(to) || to < from))) {
      throw new Error(`--seeds takes numbers and ranges like "1-10" or "1,4,7", not "${text}"`);
    }
    return to === undefined ? [from] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
  return [...new Set(seeds)];
}
