import { planCycle } from '../plan.js';
import type { Engine, Plan, PlanInput } from '../types.js';

/** The offline engine: rules over normalised sessions, no network, the same plan for the same inputs. */
export const heuristicEngine: Engine = {
  name: 'heuristic',
  plan(input: PlanInput): Promise<Plan> {
    return Promise.resolve(planCycle(input, 'heuristic'));
  },
};
