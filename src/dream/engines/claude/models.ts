/**
 * What reverie knows of each model besides its price (pricing.ts): the shortest prefix it caches, and when a
 * deprecated one reaches its end of life. Pure data and the warnings drawn from it, so that a cycle, its dry run
 * and the tests all say the same thing about a model.
 *
 * End-of-life dates are those the installed SDK warns with (`DEPRECATED_MODELS` in @anthropic-ai/sdk's
 * internal/data/deprecated-models, 1.14.0), which the SDK does not export: they are copied here, and
 * test/unit/claude/models.test.ts reads the SDK's file and fails when the two differ.
 */
import { baseModelId, PRICES_CHECKED, priceRowFor } from './pricing.js';

/**
 * The shortest cached prefix, in tokens: a `cache_control` breakpoint on a shorter prefix is ignored, silently, and
 * every request pays the full input price for it. From Anthropic's prompt-caching page
 * (https://platform.claude.com/docs/en/build-with-claude/prompt-caching) and the model pages, read 2026-12-07.
 * Where a page gives no figure (Fable 5.2, Mythos 5.1 and 5.2, Opus 5.5, Sonnet 5.5), the figure of the model
 * they follow is kept: the 5-series has cached from 512 tokens since Opus 5 and Fable 5. Mythos Preview has no
 * published figure and none to follow: it is left out, and nothing is said of its prefix.
 */
const CACHE_MINIMUM: Record<string, number> = {
  'claude-fable-5-2': 512,
  'claude-mythos-5-2': 512,
  'claude-fable-5-1': 512,
  'claude-mythos-5-1': 512,
  'claude-fable-5': 512,
  'claude-mythos-5': 512,
  'claude-opus-5-5': 512,
  'claude-opus-5': 512,
  'claude-opus-4-8': 1024,
  'claude-opus-4-7': 2048,
  'claude-opus-4-6': 4096,
  'claude-opus-4-5': 4096,
  'claude-opus-4-1': 1024,
  'claude-opus-4': 1024,
  'claude-sonnet-5-5': 512,
  'claude-sonnet-5': 1024,
  'claude-sonnet-4-6': 1024,
  'claude-sonnet-4-5': 1024,
  'claude-sonnet-4': 1024,
  'claude-haiku-5-5': 512,
  'claude-haiku-4-5': 4096,
};

/** Deprecated models and the day each reaches its end of life (ISO), as the SDK lists them. */
export const END_OF_LIFE: Record<string, string> = {
  'claude-mythos-preview': '2026-06-30',
  'claude-opus-4-5': '2027-01-22',
  'claude-sonnet-4-5': '2026-11-30',
};

/** The current model of each family, named in a warning as the one to move to. */
const SUCCESSOR: Record<string, string> = {
  'claude-mythos-preview': 'claude-fable-5-2',
  'claude-opus-4-5': 'claude-opus-5-5',
  'claude-sonnet-4-5': 'claude-sonnet-5-5',
};

export type Phase = 'map' | 'curate';

/** The shortest prefix a model caches, in tokens; undefined for a model reverie does not know. */
export function cacheMinimumOf(model: string): number | undefined {
  const id = baseModelId(model);
  return Object.hasOwn(CACHE_MINIMUM, id) ? CACHE_MINIMUM[id] : undefined;
}

/** The end-of-life date of a deprecated model (ISO); undefined for a model not deprecated, or unknown. */
export function endOfLifeOf(model: string): string | undefined {
  const id = baseModelId(model);
  return Object.hasOwn(END_OF_LIFE, id) ? END_OF_LIFE[id] : undefined;
}

/**
 * What a cycle should say about the models it is configured with: a deprecated one with its end-of-life date
 * (past or to come, as of `now`), an unknown one with the day reverie's table was checked. One line per model,
 * naming the phases that use it.
 */
export function modelWarnings(models: Record<Phase, string>, now: string): string[] {
  const phasesOf = new Map<string, Phase[]>();
  for (const phase of ['map', 'curate'] as const) phasesOf.set(models[phase], [...(phasesOf.get(models[phase]) ?? []), phase]);
  const warnings: string[] = [];
  for (const [model, phases] of phasesOf) {
    const which = `${phases.join(' and ')} model ${model}`;
    const endOfLife = endOfLifeOf(model);
    if (endOfLife) {
      const successor = SUCCESSOR[baseModelId(model)];
      const when = endOfLife <= now.slice(0, 10) ? `reached its end of life on ${endOfLife}, and requests to it may be refused` : `is deprecated and reaches its end of life on ${endOfLife}`;
      warnings.push(`the ${which} ${when}; move to a current model${successor ? ` such as ${successor}` : ''} (claude.${phases.length === 2 ? 'model' : `${phases[0]}.model`})`);
    } else if (!priceRowFor(model)) {
      warnings.push(
        `the ${which} is not in reverie's model table (checked ${PRICES_CHECKED}): its price, the shortest prefix it caches and its end of life are unknown, so its cost is reported as unknown and a dollar budget cannot be kept`,
      );
    }
  }
  return warnings;
}

/**
 * Why a phase's cached prefix will not be cached, if it will not: shorter than the model caches. Padding it up to
 * the minimum would not be sound: the prefix already holds all the stable context a phase has (the instructions,
 * the owner's guidance, the memory and, for map, the known topics), so padding would be filler every request pays
 * to write and read, and that the model reads as if it mattered. Saying so lets the owner choose a model that caches
 * it, or accept the full price of a small prefix. Only a phase whose requests share the prefix is worth a warning:
 * curate is one request, which caching would spare nothing but its retry.
 */
export function uncachedPrefixWarning(phase: Phase, model: string, prefixTokens: number, requests: number): string | undefined {
  const minimum = cacheMinimumOf(model);
  if (minimum === undefined || requests < 2 || prefixTokens >= minimum) return undefined;
  return `the ${phase} prefix is ~${prefixTokens.toLocaleString('en-US')} tokens, under the ${minimum.toLocaleString('en-US')} ${model} caches: nothing will be cached, and each of its ${requests} requests pays the full input price for it`;
}
