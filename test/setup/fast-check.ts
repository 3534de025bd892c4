import fc from 'fast-check';

// CI and the pre-commit hook replay one fixed seed so that a run is reproducible; `npx vitest` alone explores a
// new seed each time (FC_SEED=<n> replays a failure it reported). PROPERTY_RUNS=300 searches deeper.
const seed = process.env.FC_SEED ?? (process.env.CI ? '20261124' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
