// Every Redis key Upshift writes outside BullMQ's own, in one place, all under the installation's
// prefix (the BullMQ prefix) so tests and installations sharing a Redis stay apart; with Redis
// Cluster the prefix carries a hash tag ({upshift}) and every key lands in one slot. A store
// takes its keys from here and builds none itself.
//
// Names from outside become key parts in two ways, both kept as they were when the data was
// first written (changing either would orphan stored keys): cycles and baselines encode
// (encodeURIComponent: "a:b" and "a_b" stay two clusters), watches squash (safeKeyPart).
import { safeKeyPart } from "./safeKeyPart.ts";

/** Plans, votes, approvals, locks, journals and backups of add-on cycles. */
export function cycleKeys(prefix: string) {
  const p = `${prefix}:cycles`;
  const c = (cluster: string) => encodeURIComponent(cluster);
  return {
    plan: (planId: string) => `${p}:plan:${planId}`,
    votes: (planId: string, hash: string) => `${p}:votes:${planId}:${hash}`,
    noticed: (planId: string) => `${p}:noticed:${planId}`,
    message: (platform: string, channel: string, messageId: string) => `${p}:msg:${platform}:${channel}:${messageId}`,
    pending: `${p}:pending`,
    audit: `${p}:audit`,
    lock: (cluster: string) => `${p}:lock:${c(cluster)}`,
    abort: (cluster: string) => `${p}:abort:${c(cluster)}`,
    latest: (cluster: string) => `${p}:latest:${c(cluster)}`,
    journal: (cycleId: string) => `${p}:journal:${cycleId}`,
    cycle: (cycleId: string) => `${p}:run:${cycleId}`,
    backup: (cycleId: string, addon: string) => `${p}:backup:${cycleId}:${addon}`,
  };
}
export type CycleKeys = ReturnType<typeof cycleKeys>;

/** A cluster's watch: the stop flag, alert dedupe and flood window, and one watch's state. */
export function watchKeys(prefix: string, cluster: string) {
  const c = safeKeyPart(cluster);
  return {
    /** Set by a stop request, consumed by the running watch. */
    stop: `${prefix}:watch-stop:${c}`,
    flood: `${prefix}:watch-flood:${c}`,
    floodSuppressed: `${prefix}:watch-flood-suppressed:${c}`,
    /** `subject` as subjectKey() writes it (kind/namespace/name). */
    dedupe: (subject: string, reason: string) => `${prefix}:watch-dedupe:${c}:${subject}:${reason}`,
    /** One watch's own state (`watchId`: its job id), so a new watch of the cluster starts clean. */
    state: (watchId: string) => {
      const base = `${prefix}:watch:${c}:${safeKeyPart(watchId)}`;
      return {
        resourceVersions: `${base}:rv`,
        timers: `${base}:timers`,
        counts: `${base}:counts`,
        threads: `${base}:threads`,
      };
    },
  };
}
export type WatchKeys = ReturnType<typeof watchKeys>;
export type WatchStateKeys = ReturnType<WatchKeys["state"]>;

/** The decision on one chat request (src/redis/requestGate.ts); `id` is the platform's request id. */
export function requestKey(prefix: string, id: string): string {
  return `${prefix}:upshift:request:${id}`;
}

/** Hash of cluster → its last check's verdict (src/status/lastCheckStore.ts). */
export function lastCheckKey(prefix: string): string {
  return `${prefix}:last-check`;
}

/** A cluster's last baseline (src/verify/baselineStore.ts). */
export function baselineKey(prefix: string, cluster: string): string {
  return `${prefix}:baseline:${encodeURIComponent(cluster)}`;
}
