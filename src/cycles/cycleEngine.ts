// Runs an approved plan, one step at a time: backup → disable → enable (or restore) → verify.
// Crash safety rests on three things in Redis:
//  - the cluster lock (one cycle per cluster; expires if the worker dies, renewed while alive);
//  - the step journal (pending → running(owner, lease) → done/failed, phases done inside a step);
//  - owner-checked writes (a worker whose lease was taken over cannot write again).
//
// Takeover rule: a new worker that finds a step "running" under another owner waits until that
// owner's lease has lapsed, then takes the step over. Finished phases are never repeated. The
// phase that was in progress is decided from the cluster, not from memory:
//  1. if the journal recorded a child process (the microk8s CLI) that is still alive on this
//     node, wait for it to exit (up to the step's timeout): it may still finish the phase;
//  2. read driver.status(): an interrupted "disable" whose add-on is now disabled counts as done,
//     an interrupted "enable"/"restore" whose add-on is now enabled counts as done (verify then
//     proves it works); otherwise the phase runs again;
//  3. "backup" and "verify" are idempotent and simply run again, as does every phase of a driver
//     that declares itself idempotent (manifests: server-side apply and deletes ignoring 404),
//     since "enabled" there could mean half the objects were applied.
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errorMessage, UpshiftError } from "../errors/upshiftError.ts";
import type { Logger } from "../log.ts";
import { CLUSTER_LOCK_TTL_MS, STEP_LEASE_MS } from "../queue/takeover.ts";
import type { RedisCommands } from "../redis/commands.ts";
import { type CycleKeys, cycleKeys } from "../redis/keys.ts";
import { safeKeyPart } from "../redis/safeKeyPart.ts";
import { plural } from "../text/english.ts";
import { ClusterLock } from "./clusterLock.ts";
import { LostOwnershipError, StepJournalStore } from "./stepJournal.ts";
import type { ActionOutput, AddonBackup, AddonDriver, CyclePlan, DriverSet, PlanStep, StepJournal } from "./types.ts";
import { STEP_PHASES } from "./types.ts";

export class ClusterBusyError extends UpshiftError {
  readonly holder: string;
  constructor(cluster: string, holder: string) {
    super(`${cluster} is held by cycle ${holder}; one cycle per cluster at a time`);
    this.holder = holder;
  }
}

export type CycleEvent =
  | { type: "step-started"; index: number; step: PlanStep; resumed: boolean }
  | { type: "step-done"; index: number; step: PlanStep; journal: StepJournal; backupJson?: string }
  | { type: "step-failed"; index: number; step: PlanStep; journal: StepJournal; error: string }
  | { type: "takeover"; index: number; step: PlanStep; decision: string };

export interface CycleResult {
  status: "done" | "failed" | "aborted";
  stepsDone: number;
  failedStep?: number;
  error?: string;
}

export interface CycleEngineDeps {
  redis: RedisCommands;
  prefix: string;
  drivers: DriverSet;
  /** Where backups are written as files (also kept in Redis). */
  backupDir?: string;
  /** Step lease; renewed every third of it. */
  leaseMs?: number;
  lockTtlMs?: number;
  onEvent?(e: CycleEvent): Promise<void>;
  logger?: Logger;
}

const BACKUP_TTL_S = 30 * 24 * 3600;

export class CycleEngine {
  private readonly deps: CycleEngineDeps;
  private readonly keys: CycleKeys;
  private readonly leaseMs: number;
  /** This worker's identity in the journal. */
  readonly owner = randomUUID();

  constructor(deps: CycleEngineDeps) {
    this.deps = deps;
    this.keys = cycleKeys(deps.prefix);
    this.leaseMs = deps.leaseMs ?? STEP_LEASE_MS;
  }

  journal(cycleId: string): StepJournalStore {
    return new StepJournalStore(this.deps.redis, this.keys.journal(cycleId));
  }

  lock(cluster: string): ClusterLock {
    return new ClusterLock(this.deps.redis, this.keys.lock(cluster), this.deps.lockTtlMs ?? CLUSTER_LOCK_TTL_MS);
  }

  async run(plan: CyclePlan): Promise<CycleResult> {
    const lock = this.lock(plan.cluster);
    const got = await lock.acquire(plan.id);
    if (!got.acquired) throw new ClusterBusyError(plan.cluster, got.holder);
    const journal = this.journal(plan.id);
    let current = -1;
    const timer = setInterval(
      () => {
        lock.renew(plan.id).catch(() => undefined);
        if (current >= 0) journal.renew(current, this.owner, this.leaseMs).catch(() => undefined);
      },
      Math.max(100, Math.floor(Math.min(this.leaseMs, lock.ttlMs) / 3)),
    );
    timer.unref();
    let stepsDone = 0;
    try {
      for (let i = 0; i < plan.steps.length; i++) {
        const step = plan.steps[i];
        const before = await journal.get(i);
        if (before.state === "done") {
          stepsDone++;
          continue;
        }
        if (before.state === "failed") return { status: "failed", stepsDone, failedStep: i, error: before.error };
        if ((await this.deps.redis.get(this.keys.abort(plan.cluster))) === plan.id)
          return { status: "aborted", stepsDone };
        const claim = await this.claimWhenFree(journal, i);
        if (claim.kind === "done") {
          stepsDone++;
          continue;
        }
        if (claim.kind === "failed") return { status: "failed", stepsDone, failedStep: i };
        current = i;
        const resumed = claim.kind === "takeover" || claim.kind === "mine";
        await this.deps.onEvent?.({ type: "step-started", index: i, step, resumed });
        const driver = this.deps.drivers[step.driver];
        let j = await journal.get(i);
        try {
          if (!driver) throw new Error(`no ${step.driver} driver is configured on this worker`);
          if (resumed && j.phase && !j.phasesDone.includes(j.phase)) j = await this.reconcile(plan, i, step, driver, j);
          const backupJson = await this.runPhases(plan, i, step, driver, j);
          j = await journal.get(i);
          j.finishedAt = new Date().toISOString();
          await journal.write(i, this.owner, j, "done");
          current = -1;
          stepsDone++;
          await this.deps.onEvent?.({ type: "step-done", index: i, step, journal: j, backupJson });
        } catch (err) {
          if (err instanceof LostOwnershipError) throw err;
          const message = errorMessage(err);
          j = await journal.get(i);
          const output = (err as { output?: ActionOutput }).output;
          if (output) j.outputs.push(output);
          j.error = message;
          j.finishedAt = new Date().toISOString();
          await journal.write(i, this.owner, j, "failed");
          current = -1;
          await this.deps.onEvent?.({ type: "step-failed", index: i, step, journal: j, error: message });
          return { status: "failed", stepsDone, failedStep: i, error: message };
        }
      }
      return { status: "done", stepsDone };
    } finally {
      clearInterval(timer);
      await lock.release(plan.id).catch(() => undefined);
    }
  }

  /** Waits while another live owner holds the step (its lease not lapsed). */
  private async claimWhenFree(journal: StepJournalStore, i: number) {
    for (;;) {
      const claim = await journal.claim(i, this.owner, this.leaseMs);
      if (claim.kind !== "busy") return claim;
      await sleep(Math.min(1_000, this.leaseMs / 4));
    }
  }

  private async reconcile(
    plan: CyclePlan,
    i: number,
    step: PlanStep,
    driver: AddonDriver,
    j: StepJournal,
  ): Promise<StepJournal> {
    const journal = this.journal(plan.id);
    const phase = j.phase!;
    if (j.pid && processAlive(j.pid)) {
      const until = Date.now() + step.timeoutMs;
      while (processAlive(j.pid) && Date.now() < until) await sleep(200);
    }
    let decision = "run it again";
    if (!driver.idempotent && (phase === "disable" || phase === "enable")) {
      const state = (await driver.status()).find((s) => s.name === step.addon);
      const reached = phase === "disable" ? state?.status === "disabled" : state?.status === "enabled";
      if (reached) {
        decision = `found ${step.addon} ${state?.status}: ${phase} counts as done`;
        j.phasesDone.push(phase);
        j.outputs.push({ action: `${phase} (taken over)`, output: decision });
        j.phase = undefined;
        j.pid = undefined;
        await journal.write(i, this.owner, j);
      } else decision = `found ${step.addon} ${state?.status ?? "not listed"}: ${phase} runs again`;
    }
    await this.deps.onEvent?.({ type: "takeover", index: i, step, decision });
    return j;
  }

  private async runPhases(
    plan: CyclePlan,
    i: number,
    step: PlanStep,
    driver: AddonDriver,
    start: StepJournal,
  ): Promise<string | undefined> {
    const journal = this.journal(plan.id);
    let j = start;
    j.startedAt ??= new Date().toISOString();
    let backupJson: string | undefined;
    for (const phase of STEP_PHASES) {
      if (j.phasesDone.includes(phase)) continue;
      j.phase = phase;
      j.pid = undefined;
      j.attempts[phase] = (j.attempts[phase] ?? 0) + 1;
      await journal.write(i, this.owner, j);
      const ctx = {
        recordProcess: async (pid: number) => {
          j.pid = pid;
          await journal.write(i, this.owner, j);
        },
      };
      switch (phase) {
        case "backup": {
          const backup = await driver.backup(step.addon);
          backupJson = JSON.stringify(backup, null, 2);
          const stored = await this.storeBackup(plan, step, backupJson);
          j.backupKey = stored.key;
          j.backupFile = stored.file;
          j.outputs.push({
            action: "backup",
            output: `${plural(backup.objects.length, "object")} saved${stored.file ? ` to ${stored.file}` : ""}`,
          });
          break;
        }
        case "disable":
          j.outputs.push(await driver.disable(step.addon, { keepKinds: step.keepKinds }, ctx));
          break;
        case "enable":
          if (step.restoreFrom) {
            const raw = await this.deps.redis.get(step.restoreFrom);
            if (!raw)
              throw new Error(
                `the backup ${step.restoreFrom} is gone from Redis; restore it by hand from the file posted in the thread`,
              );
            j.outputs.push(await driver.restore(step.addon, JSON.parse(raw) as AddonBackup, ctx));
          } else j.outputs.push(await driver.enable(step.addon, ctx));
          break;
        case "verify": {
          const v = await driver.verify(step.addon);
          j.outputs.push({ action: "verify", output: v.details.join("\n") });
          if (!v.ok) {
            await journal.write(i, this.owner, j);
            throw new Error(`verify failed: ${v.details.slice(0, 3).join("; ")}`);
          }
          break;
        }
      }
      j.phasesDone.push(phase);
      j.phase = undefined;
      j.pid = undefined;
      await journal.write(i, this.owner, j);
      j = await journal.get(i);
    }
    return backupJson;
  }

  private async storeBackup(plan: CyclePlan, step: PlanStep, json: string): Promise<{ key: string; file?: string }> {
    const key = this.keys.backup(plan.id, step.addon);
    // Rollback plans must not overwrite the backup they restore from: key by plan id.
    await this.deps.redis.set(key, json, "EX", BACKUP_TTL_S);
    let file: string | undefined;
    if (this.deps.backupDir) {
      mkdirSync(this.deps.backupDir, { recursive: true });
      file = join(this.deps.backupDir, `${safeKeyPart(plan.cluster)}-${plan.id}-${safeKeyPart(step.addon)}.json`);
      writeFileSync(file, json, { mode: 0o600 });
    }
    return { key, file };
  }
}

/** A rollback plan: restore every step that started, from its backup, in reverse order. */
export async function rollbackPlanFor(
  redis: RedisCommands,
  prefix: string,
  failed: CyclePlan,
  requester: CyclePlan["requester"],
): Promise<CyclePlan | undefined> {
  const journal = new StepJournalStore(redis, cycleKeys(prefix).journal(failed.id));
  const steps: PlanStep[] = [];
  for (let i = failed.steps.length - 1; i >= 0; i--) {
    const j = await journal.get(i);
    if (j.state === "pending" || !j.backupKey) continue;
    const s = failed.steps[i];
    steps.push({
      ...s,
      currentVersion: s.expectedVersion ?? s.currentVersion,
      expectedVersion: s.currentVersion,
      restoreFrom: j.backupKey,
    });
  }
  if (steps.length === 0) return undefined;
  return {
    id: randomUUID(),
    kind: "rollback",
    cluster: failed.cluster,
    createdAt: new Date().toISOString(),
    requester,
    steps,
    dryRun: false,
    rollbackOf: failed.id,
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // An orphan that exited but was not reaped (no init reaping in some containers) is a zombie: done.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
