/** Reading request bodies in the fake servers of the tests (fake GitHub, fake Messages API). */
import type http from 'node:http';

/** What parseJson returns for text that is not JSON, so that a fake can answer as the real API does. */
export const INVALID_JSON = Symbol('invalid JSON');

/** The JSON value of a body, undefined for an empty one, INVALID_JSON for anything else. */
export function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

/** The whole body as text; a body over `maxBytes` destroys the request, as a server's limit would. */
export function readBody(request: http.IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) request.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
