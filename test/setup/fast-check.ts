import fc from 'fast-check';

// Every run replays one fixed seed, so that `npm test` and CI give the same verdict every time. To search new
// ground, `npm run test:explore` (FC_SEED=random) draws a new seed per run and prints it with any failure;
// FC_SEED=<n> replays that failure. PROPERTY_RUNS=300 searches deeper.
const seed = process.env.FC_SEED ?? '20261124';
if (seed !== 'random') fc.configureGlobal({ seed: Number(seed) });
