// Redis keys of cycles and approvals, all under one prefix so tests (and installations sharing
// a Redis) stay apart. Cluster names go through encodeURIComponent: contexts contain ':'.
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
