import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSchema, validate, type JsonSchema } from '../../../src/dream/engines/claude/json-schema.js';
import { CURATE_SCHEMA, MAP_SCHEMA } from '../../../src/dream/engines/claude/schemas.js';

const observation = { kind: 'mistake', statement: 'Use `pnpm install`.', topic: 'package manager', quote: 'npm error', turn: 3, fix: 'ran pnpm' };

describe('validate', () => {
  it('accepts an answer in the schema, a nullable field null or set', () => {
    expect(validate({ observations: [observation, { ...observation, fix: null }] }, MAP_SCHEMA)).toEqual([]);
    expect(validate({ observations: [] }, MAP_SCHEMA)).toEqual([]);
  });

  it('names every problem by its path, in words a model can act on', () => {
    const answer = { observations: [{ ...observation, kind: 'rumour', turn: 2.5, extra: true }, { statement: 7 }], note: 'hi' };
    expect(validate(answer, MAP_SCHEMA)).toEqual([
      '$.observations[0].kind: must be one of "mistake", "workflow", "preference", "fact", got "rumour"',
      '$.observations[0].turn: must be integer, got number',
      '$.observations[0].extra: is not allowed (no such property)',
      '$.observations[1].kind: is required',
      '$.observations[1].topic: is required',
      '$.observations[1].quote: is required',
      '$.observations[1].turn: is required',
      '$.observations[1].fix: is required',
      '$.observations[1].statement: must be string, got integer',
      '$.note: is not allowed (no such property)',
    ]);
  });

  it('refuses the wrong shape at the top, and null where null is not allowed', () => {
    expect(validate([], MAP_SCHEMA)).toEqual(['$: must be object, got array']);
    expect(validate({ observations: null }, MAP_SCHEMA)).toEqual(['$.observations: must be array, got null']);
    expect(validate({ actions: [{ type: 'add', targets: [], content: null, file: null, section: null, patterns: [], summary: 's', rationale: null }] }, CURATE_SCHEMA)).toEqual([
      '$.actions[0].rationale: must be string, got null',
    ]);
  });

  it('reports at most a dozen problems, and says how many more', () => {
    const many = { observations: Array.from({ length: 20 }, () => ({ ...observation, turn: 'x' })) };
    const problems = validate(many, MAP_SCHEMA);
    expect(problems).toHaveLength(13);
    expect(problems.at(-1)).toBe('… and 8 more');
  });

  it('never throws, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(Array.isArray(validate(value, MAP_SCHEMA))).toBe(true);
        expect(Array.isArray(validate(value, CURATE_SCHEMA))).toBe(true);
      }),
    );
  });
});

describe('checkSchema', () => {
  it('finds the schemas the engine sends strict-ready and inside the subset', () => {
    expect(checkSchema(MAP_SCHEMA)).toEqual([]);
    expect(checkSchema(CURATE_SCHEMA)).toEqual([]);
  });

  it('flags an open object, an optional property, and a keyword outside the subset', () => {
    const loose = { type: 'object', properties: { a: { type: 'string', minLength: 3 } }, required: [] } as unknown as JsonSchema;
    expect(checkSchema(loose)).toEqual([
      '$: an object must set additionalProperties: false',
      '$.a: every property must be required (use a null type for an optional one)',
      '$.a: keyword "minLength" is outside the supported subset',
    ]);
  });
});
