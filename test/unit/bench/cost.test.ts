import { describe, expect, it } from 'vitest';
import { CHOICES, costTable, estimateCosts } from '../../../bench/claude/cost.js';

describe('cost benchmark: a cycle per choice of models, estimated with count_tokens', () => {
  it('estimates each size and choice by counting its prompts, and more sessions cost more', async () => {
    const rows = await estimateCosts([2, 6], 20);
    expect(rows).toHaveLength(2 * CHOICES.length);
    for (const row of rows) {
      expect(row.oneByOne).toMatchObject({ sessions: row.sessions, method: 'count_tokens', batch: false, phases: { map: { model: row.choice.map }, curate: { model: row.choice.curate } } });
      expect(row.batch.batch).toBe(true);
      expect(row.batch.costUsd as number).toBeLessThan(row.oneByOne.costUsd as number);
      // The budget that finishes a cycle covers its cost and the curate request's reservation besides.
      expect(row.oneByOne.budget?.needed.usd as number).toBeGreaterThan(row.oneByOne.costUsd as number);
    }
    const [small, large] = [rows[0], rows[CHOICES.length]];
    expect(large?.oneByOne.costUsd as number).toBeGreaterThan(small?.oneByOne.costUsd as number);
    const table = costTable(rows).split('\n');
    expect(table).toHaveLength(2 + rows.length);
    expect(table[2]).toMatch(/^\| 2 \| haiku-5-5 \| opus-5-5 \| [\d.]+ M \+ [\d.]+ M \| \$[\d.]+ \| \$[\d.]+ \| \$[\d.]+ \| \$[\d.]+ \| \$[\d.]+ \|$/);
  });
});
