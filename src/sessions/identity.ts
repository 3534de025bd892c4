import { createHash } from 'node:crypto';
import type { Session } from './types.js';

/**
 * The hash that decides whether a session is new. A log holding one session is known by the hash of its bytes,
 * which lets an unchanged log be skipped without parsing it. A log holding several is known session by session,
 * by the hash of what was read of each (`contentHash`), so that one appended session does not make all the others
 * look new, and so that each can be handed on while the rest of the file is still being read.
 *
 * Whether a file holds one session is known only when a second one comes, so the first is held back until then.
 */
export class SessionIdentities {
  private held: Session | undefined;
  private count = 0;

  constructor(private readonly handOn: (session: Session) => void) {}

  add(session: Session): void {
    this.count++;
    if (this.count === 1) {
      this.held = session;
      return;
    }
    if (this.held) this.handOn(withHash(this.held, contentHash(this.held)));
    this.held = undefined;
    this.handOn(withHash(session, contentHash(session)));
  }

  /** The file has been read to its end; `fileHash` is the hash of all its bytes. */
  end(fileHash: string): void {
    if (this.held) this.handOn(withHash(this.held, fileHash));
    this.held = undefined;
  }
}

/**
 * sha256 of a session as read: its id, format, agent, turns, outcome and times. Where the log sits is left out,
 * so that moving a folder of logs does not make its sessions look new, as it does not for a one-session log.
 */
export function contentHash(session: Session): string {
  const { hash: _hash, source: _source, ...content } = session;
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

function withHash(session: Session, hash: string): Session {
  return { ...session, hash };
}
