import { UpshiftError } from "./upshiftError.ts";

/** A call to the API server that had not answered when the check's deadline passed. */
export interface HungCall {
  /** As in error messages: "list pods (all namespaces), page 3". */
  attempted: string;
  /** How long it had been waiting then. */
  waitedMs: number;
}

/** "3 s", "2.5 s", "60 s" for deadlines; waits keep their tenth ("0.4 s", "2.0 s") below 10 s. */
const seconds = (ms: number) => `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
const waited = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

/**
 * The whole check ran out of time (UPSHIFT_CHECK_DEADLINE_SECONDS), not just one request. The
 * message names the call that had waited longest when it passed, so the thread says which call
 * hung ("list pods (all namespaces), page 3 did not answer in 58 s, when the check's 60 s
 * deadline passed"), and counts the others still in flight. Never retried: the deadline covers
 * every attempt.
 */
export class CheckDeadlineError extends UpshiftError {
  readonly hung: HungCall[];
  constructor(opts: { cluster: string; deadlineMs: number; hung: HungCall[] }) {
    const hung = [...opts.hung].sort((a, b) => b.waitedMs - a.waitedMs);
    const deadline = `the check's ${seconds(opts.deadlineMs)} deadline passed`;
    const [first, ...others] = hung;
    const more = others.length ? `; ${others.length} other call${others.length > 1 ? "s were" : " was"} in flight` : "";
    super(
      first
        ? `cluster ${opts.cluster}: ${first.attempted} did not answer in ${waited(first.waitedMs)}, when ${deadline}${more}`
        : `cluster ${opts.cluster}: ${deadline} before the check finished`,
      { retryable: false },
    );
    this.hung = hung;
  }
}
