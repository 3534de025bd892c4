/**
 * The handful of errors reverie raises on purpose. Each carries the exit code the CLI uses, so that
 * mapping errors to exit codes happens in one place (cli/main.ts) and scripts can tell them apart.
 */
export class ReverieError extends Error {
  readonly exitCode: number = 1;
}

/** reverie.yaml or a memory test file is missing, unreadable or invalid. Names the file, and the line and key when known. */
export class ConfigError extends ReverieError {
  override readonly exitCode = 2;
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly key?: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}${key ? ` (${key})` : ''}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** A memory test case failed: the memory does not give what a case expects, or gives what it must never (`reverie test`). */
export class FailedCasesError extends ReverieError {
  override readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'FailedCasesError';
  }
}

/** A log could not be read at all (unknown format, unreadable file). Per-line problems are warnings instead. */
export class SessionFormatError extends ReverieError {
  override readonly exitCode = 3;
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${message}`);
    this.name = 'SessionFormatError';
  }
}

/** The repository is not in a state the command can work with (no main, a cycle already running, ...). */
export class GitStateError extends ReverieError {
  override readonly exitCode: number = 4;
  constructor(message: string) {
    super(message);
    this.name = 'GitStateError';
  }
}

/**
 * A branch moved, but the working tree and index could not be brought along: the move stands (it is not a
 * GitStateError, which means nothing changed), and the next writing command or `reverie doctor` finishes it.
 */
export class CheckoutIncompleteError extends ReverieError {
  override readonly exitCode = 4;
  constructor(message: string) {
    super(message);
    this.name = 'CheckoutIncompleteError';
  }
}

/** Another cycle holds the repository's lock. */
export class LockedError extends GitStateError {
  override readonly exitCode = 5;
  constructor(message: string) {
    super(message);
    this.name = 'LockedError';
  }
}

/** A memory path escapes the memory root or is otherwise unsafe to write. */
export class UnsafePathError extends ReverieError {
  override readonly exitCode = 6;
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'UnsafePathError';
  }
}

/** A command was called with flags or arguments it cannot use. */
export class UsageError extends ReverieError {
  override readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * GitHub (or the git server behind a remote) refused a request it will keep refusing: a request it rejects (a pull
 * request it cannot open, a branch it protects). The subclasses say why when the reason is known.
 */
export class GitHubError extends ReverieError {
  override readonly exitCode: number = 7;
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GitHubError';
  }
}

/**
 * The credentials were refused: no token, a token that is not valid, one that lacks a permission, or one that cannot
 * see the repository. The one GitHub failure whose message talks about the token.
 */
export class GitHubCredentialsError extends GitHubError {
  override readonly exitCode = 7;
  constructor(message: string, status?: number) {
    super(message, status);
    this.name = 'GitHubCredentialsError';
  }
}

/** GitHub or its git server could not answer (a 5xx, no connection), still after retrying: nothing to fix here but time. */
export class GitHubUnavailableError extends GitHubError {
  override readonly exitCode = 9;
  constructor(message: string, status?: number) {
    super(message, status);
    this.name = 'GitHubUnavailableError';
  }
}

/** A rate limit that would last longer than reverie waits (`github.max_wait_seconds`); `retryAt` is when it lifts. */
export class GitHubRateLimitError extends GitHubError {
  override readonly exitCode = 10;
  constructor(
    message: string,
    status: number,
    readonly retryAt: Date,
  ) {
    super(message, status);
    this.name = 'GitHubRateLimitError';
  }
}

/** The Messages API refused the engine's requests (a bad key, a model it does not serve, a request it rejects). */
export class ModelApiError extends ReverieError {
  override readonly exitCode = 8;
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ModelApiError';
  }
}

/**
 * A dream cycle failed as a whole: the engine got no usable answer for most of its sessions. Nothing was committed
 * and no session was recorded as processed that had no answer; the report (`--json`) says why, session by session.
 */
export class CycleFailedError extends ReverieError {
  override readonly exitCode = 11;
  constructor(message: string) {
    super(message);
    this.name = 'CycleFailedError';
  }
}
