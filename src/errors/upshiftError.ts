// The one base class of Upshift's own errors. `name` is always the subclass's (logs and
// `String(err)` say which error it was without each class remembering to set it); `retryable`
// says whether trying the same thing again may succeed; `exitCode` is what the CLI exits with
// when the error reaches it (runCli in cli/main.ts reads it; 1 when unset).
export interface UpshiftErrorOptions {
  retryable?: boolean;
  exitCode?: number;
  cause?: unknown;
}

export class UpshiftError extends Error {
  readonly retryable?: boolean;
  readonly exitCode?: number;

  constructor(message: string, opts: UpshiftErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.retryable = opts.retryable;
    this.exitCode = opts.exitCode;
  }
}

/** The message of anything thrown: an Error's message, a string as is, anything else as text. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err;
  if (typeof err === "object" && err !== null && typeof (err as { message?: unknown }).message === "string") {
    return (err as { message: string }).message;
  }
  try {
    return String(err);
  } catch {
    return Object.prototype.toString.call(err);
  }
}
