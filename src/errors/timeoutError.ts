import { UpshiftError } from "./upshiftError.ts";

/** A call that did not settle within its time (withTimeout); the same call may succeed later. */
export class TimeoutError extends UpshiftError {
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number) {
    super(message, { retryable: true });
    this.timeoutMs = timeoutMs;
  }
}
