import { describe, expect, it } from 'vitest';
import { eachLimited, mapLimited } from '../../../src/util/limited.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapLimited and eachLimited', () => {
  it('keep the items order in the results and never run more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapLimited([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      most = Math.max(most, ++running);
      await tick(n);
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
    expect(await mapLimited([], 3, async () => 1)).toEqual([]);
  });

  it('start nothing after an error, and throw it once what had started has ended', async () => {
    const started: number[] = [];
    const ended: number[] = [];
    const run = eachLimited([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 1) throw new Error('item 1 failed');
      await tick(20);
      ended.push(n);
    });
    await expect(run).rejects.toThrow('item 1 failed');
    // Item 0 was running when item 1 failed: it ended before the error reached the caller; none began after it.
    expect(started).toEqual([0, 1]);
    expect(ended).toEqual([0]);
  });
});
