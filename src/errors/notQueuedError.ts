// A request that was not queued, and never will be: the request key says "abandoned"
// (src/redis/requestGate.ts), so no worker runs a job for it even if its add reached Redis.
import { UpshiftError } from "./upshiftError.ts";

export class NotQueuedError extends UpshiftError {
  readonly reason: string;
  constructor(reason: string) {
    super(`nothing was queued: ${reason}`, { retryable: false });
    this.reason = reason;
  }
}
