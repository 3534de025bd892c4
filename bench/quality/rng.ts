/** The corpus generator's randomness: the project's one seeded generator. */
export * from '../../scripts/rng.js';
