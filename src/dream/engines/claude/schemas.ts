/**
 * The shapes the model must answer in, sent as structured outputs (`output_config.format`). Strict-ready: every
 * object closes `additionalProperties` and requires every property, an optional one being nullable. Everything a
 * model answers is checked against these (json-schema.ts) before it becomes anything, whatever the API promised.
 */
import type { ActionType, PatternKind } from '../../types.js';
import type { JsonSchema } from './json-schema.js';

export const PATTERN_KINDS: readonly PatternKind[] = ['mistake', 'workflow', 'preference', 'fact'];
export const PROPOSAL_TYPES: readonly ActionType[] = ['add', 'update', 'merge', 'resolve', 'prune'];

/** What one session teaches, as the map step returns it. */
export interface MapObservation {
  kind: PatternKind;
  statement: string;
  topic: string;
  quote: string;
  turn: number;
  fix: string | null;
}

export interface MapAnswer {
  observations: MapObservation[];
}

/** One curation step as the model proposes it; curate.ts turns it into an Action, or refuses it. */
export interface Proposal {
  type: ActionType;
  targets: string[];
  content: string | null;
  file: string | null;
  section: string | null;
  patterns: string[];
  summary: string;
  rationale: string;
}

export interface CurateAnswer {
  actions: Proposal[];
}

const text = (description: string): JsonSchema => ({ type: 'string', description });

export const MAP_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['observations'],
  properties: {
    observations: {
      type: 'array',
      description: 'What this session teaches that would help an agent in a later session; empty when it teaches nothing lasting.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'statement', 'topic', 'quote', 'turn', 'fix'],
        properties: {
          kind: { type: 'string', enum: [...PATTERN_KINDS], description: 'mistake (an error and what fixed it), workflow, preference (stated by a person), or fact about the project' },
          statement: text('The memory line: one self-contained sentence an agent can act on, at most 200 characters'),
          topic: text('Two to five lowercase words naming the subject; reuse a known topic exactly when one fits'),
          quote: text('Words copied exactly from the session that show it, at most 200 characters'),
          turn: { type: 'integer', description: 'The number N of the [turn N] marker the quote comes from' },
          fix: { type: ['string', 'null'], description: 'For a mistake: what fixed it; null otherwise' },
        },
      },
    },
  },
};

export const CURATE_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['actions'],
  properties: {
    actions: {
      type: 'array',
      description: 'Curation steps, most important first; empty when memory needs nothing.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'targets', 'content', 'file', 'section', 'patterns', 'summary', 'rationale'],
        properties: {
          type: { type: 'string', enum: [...PROPOSAL_TYPES] },
          targets: {
            type: 'array',
            items: text('The exact id of a writable memory entry, as given in [brackets]'),
            description: 'add: none; update and prune: one; merge: two or more; resolve: the entry kept first, then those it replaces',
          },
          content: { type: ['string', 'null'], description: 'The new entry text (add, update, merge; optional for resolve); null for prune' },
          file: { type: ['string', 'null'], description: 'add: an existing writable memory file; null for the inbox' },
          section: { type: ['string', 'null'], description: 'add: the heading to put the entry under; null for the default of its kind' },
          patterns: { type: 'array', items: text('The key of a pattern that supports this step') },
          summary: text('One line for the commit subject, at most 72 characters'),
          rationale: text('Why, in one or two sentences a reviewer can check against the evidence'),
        },
      },
    },
  },
};
