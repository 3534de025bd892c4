// Loaded with `node --import`: names every file module the process loads, one URL a line, in the file that
// REVERIE_MODULE_LOG names, so that a test can say what a command loaded. The hooks run on a thread of their own.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.REVERIE_MODULE_LOG, url + '\\n');
  return next(url, context);
}`;
if (process.env.REVERIE_MODULE_LOG) register(`data:text/javascript,${encodeURIComponent(hooks)}`);
