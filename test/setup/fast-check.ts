import fc from 'fast-check';

// CI replays one fixed seed so that a run is reproducible; local runs explore a new seed each time
// (FC_SEED=<n> replays a failure a local run reported).
const seed = process.env.FC_SEED ?? (process.env.CI ? '20261124' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
