import { describe, expect, it } from 'vitest';
import { SESSION_FORMATS } from '../../../src/config/formats.js';
import { FORMATS } from '../../../src/sessions/readers/index.js';

describe('the session formats reverie.yaml accepts', () => {
  it('are the formats of the readers, in their order', () => {
    expect(SESSION_FORMATS).toEqual(FORMATS);
  });
});
