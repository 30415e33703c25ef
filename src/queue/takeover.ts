// How soon a dead worker's long-running job (a watch, an add-on cycle) resumes elsewhere, and
// the leases and claims that must agree with it. Goal (issue 14): within 10 s of the worker's
// death. BullMQ's defaults (30 s lock, 30 s stalled check) made it 29–49 s.
//
// How BullMQ hands a job on (bullmq 6.7, worker.js / lock-manager.js / moveStalledJobsToWait.lua):
// a running job holds a lock key with lockDuration, extended by its worker every lockRenewTime
// (a timer every lockRenewTime/2 extends locks older than lockRenewTime/2). Every stalledInterval
// one worker of the queue runs the stalled check: an active job that was already in the stalled
// set and has no lock goes back to wait (its stalled count +1, not an attempt); every active job
// is then put in the stalled set, which a lock extension leaves again. A waiting worker is woken
// by the queue's marker at once. So after a SIGKILL:
//   - the lock lapses between lockDuration − lockRenewTime and lockDuration later;
//   - the next stalled check after that moves the job, at most stalledInterval later.
// With the values below: taken over between 4.5 s and 7 s after the death, then resumed (the watch
// lists and re-watches from its stored resourceVersions, the cycle reads its journal).
//
// A slow but alive worker keeps its job as long as its event loop is never blocked longer than
// lockDuration − lockRenewTime (4.5 s): the renewal timer runs on that loop. In `upshift all` the
// check worker shares that loop; its synchronous stretches are one list page's JSON.parse and the
// catalogue over one snapshot (the whole `upshift check` of ~126k objects takes ~2.4 s, issue 14,
// of which the synchronous part is a fraction; not measured on its own here). A worker that
// does lose its lock gets BullMQ's lockRenewalFailed, and the watch's dedupe keys and the cycle's
// journal ownership keep the two runs from posting or stepping twice.

/** BullMQ Worker options for watch and cycle jobs. */
export const LONG_JOB_LOCK = {
  lockDuration: 6_000,
  lockRenewTime: 1_500,
  stalledInterval: 1_000,
} as const;

/** Latest takeover after a worker's death (the job back in wait; resuming comes on top). */
export const TAKEOVER_BOUND_MS = LONG_JOB_LOCK.lockDuration + LONG_JOB_LOCK.stalledInterval;

/** Earliest takeover after a worker's death: the dead worker's claims must have lapsed by then. */
export const EARLIEST_TAKEOVER_MS = LONG_JOB_LOCK.lockDuration - LONG_JOB_LOCK.lockRenewTime;

/**
 * A cycle step's lease in the journal, renewed every third of it: lapsed (≤ 4.5 s after the death)
 * by the earliest takeover, so the next worker claims the step without waiting.
 */
export const STEP_LEASE_MS = 4_500;

/**
 * The cluster lock of a cycle (src/cycles/clusterLock.ts): renewed with the step lease, and longer
 * than the latest takeover, so a resumed cycle finds its own lock still held rather than taken
 * by another cycle of the same cluster; a cycle whose worker died for good frees it in 20 s.
 */
export const CLUSTER_LOCK_TTL_MS = 20_000;

/**
 * A watch alert's claim (src/watch/alertSink.ts), renewed while its post is in flight: a dead
 * worker's claim lapses (≤ 3 s) before the earliest takeover (4.5 s), so the worker that carries
 * on replays and posts the alert instead of taking it for a duplicate.
 */
export const ALERT_CLAIM_MS = 3_000;
