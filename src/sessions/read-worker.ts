/**
 * A worker thread of read-pool.ts: reads the logs of each batch it is sent as loadSessions reads them on its own
 * thread (readAhead), and sends back what came of them. A log too large to read whole is sent back unread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readAhead } from './load.js';
import type { BatchRequest, BatchResult, WorkerRead, WorkerSetup } from './read-pool.js';

const setup = workerData as WorkerSetup;
const options = { skipHashes: new Set(setup.skipHashes), ...(setup.maxLineBytes !== undefined ? { maxLineBytes: setup.maxLineBytes } : {}) };

parentPort?.on('message', (request: BatchRequest) => {
  void readBatch(request).then((result) => parentPort?.postMessage(result));
});

async function readBatch({ batch, files }: BatchRequest): Promise<BatchResult> {
  try {
    const results: WorkerRead[] = [];
    for (const file of files) {
      const read = await readAhead(file, options);
      results.push('whole' in read ? read : { large: file });
    }
    return { batch, results };
  } catch (err) {
    // readAhead reports a bad log as a warning and never throws: this is a bug, and the batch is read again there.
    return { batch, failed: String(err) };
  }
}
