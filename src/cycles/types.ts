// The contracts of add-on cycles: what a driver does to one add-on, what a plan says, and what
// the journal remembers. The cycle engine only knows AddonDriver, so a Helm driver can be added
// without touching the engine.
import type { ReplyAddress, Requester } from "../chat/types.ts";
import type { KubeObject } from "../kube/resources.ts";

export type AddonCategory = "cni" | "dns" | "ingress" | "storage" | "other";
export type DriverName = "microk8s" | "manifests";

export interface AddonState {
  name: string;
  driver: DriverName;
  status: "enabled" | "disabled" | "unknown";
  /** Installed version, when the driver can tell. */
  version?: string;
  /** Version the next enable installs, when the driver can tell. */
  expectedVersion?: string;
  repository?: string;
  namespace?: string;
}

/** Output of one external action (a microk8s command, a batch of API calls), kept in the journal. */
export interface ActionOutput {
  /** What ran, e.g. "microk8s disable dns". */
  action: string;
  /** stdout+stderr or a summary of API calls, trimmed. */
  output: string;
}

export interface AddonBackup {
  addon: string;
  driver: DriverName;
  takenAt: string;
  /** The add-on's objects as they were (status and server-managed fields stripped). */
  objects: KubeObject[];
  /** Driver-specific configuration (e.g. the microk8s status entry). */
  config?: unknown;
}

export interface VerifyResult {
  ok: boolean;
  /** One line per thing verified, failures first. */
  details: string[];
}

/** Lets a driver tell the engine about a child process, so a replacing worker can wait for it. */
export interface ActionContext {
  recordProcess?(pid: number): Promise<void>;
  signal?: AbortSignal;
}

export interface AddonDriver {
  readonly name: DriverName;
  /**
   * True when disable/enable/restore can safely run again after an interruption (server-side
   * apply, deletes that ignore "not found"). A replacing worker then simply re-runs the phase;
   * otherwise it decides from status() (see the takeover rule in cycleEngine.ts).
   */
  readonly idempotent?: boolean;
  status(): Promise<AddonState[]>;
  backup(addon: string): Promise<AddonBackup>;
  /** Removes the add-on; objects of `keepKinds` (data) stay. */
  disable(addon: string, opts: { keepKinds: readonly string[] }, ctx?: ActionContext): Promise<ActionOutput>;
  enable(addon: string, ctx?: ActionContext): Promise<ActionOutput>;
  /** Re-creates the add-on as it was in a backup (rollback plans). */
  restore(addon: string, backup: AddonBackup, ctx?: ActionContext): Promise<ActionOutput>;
  verify(addon: string): Promise<VerifyResult>;
}

export type DriverSet = Partial<Record<DriverName, AddonDriver>>;

export interface PlanStep {
  addon: string;
  driver: DriverName;
  category: AddonCategory;
  namespace?: string;
  currentVersion?: string;
  expectedVersion?: string;
  disrupts: string;
  holdsData: boolean;
  /** What the backup holds, in words. */
  backup: string;
  /** Kinds disable keeps (data). */
  keepKinds: string[];
  /** Upper bound for the whole step (backup → verify). */
  timeoutMs: number;
  /** Rollback plans: the backup (Redis key) to restore instead of enabling the new version. */
  restoreFrom?: string;
}

export interface CyclePlan {
  id: string;
  kind: "cycle" | "rollback";
  cluster: string;
  createdAt: string;
  requester: Requester;
  steps: PlanStep[];
  dryRun: boolean;
  /** Rollback plans: the cycle they undo. */
  rollbackOf?: string;
  /** Add-ons asked for that are already at the expected version, so not in `steps`. */
  upToDate?: Array<{ addon: string; version: string }>;
}

export type StepPhase = "backup" | "disable" | "enable" | "verify";
export const STEP_PHASES: readonly StepPhase[] = ["backup", "disable", "enable", "verify"];

export interface StepJournal {
  state: "pending" | "running" | "done" | "failed";
  /** Token of the worker running it; lease renewed while it runs. */
  owner?: string;
  leaseUntil?: number;
  /** Phases finished, in order. */
  phasesDone: StepPhase[];
  /** Phase in progress when the owner last wrote. */
  phase?: StepPhase;
  /** Child process of the phase in progress (microk8s CLI), for takeover. */
  pid?: number;
  /** How many times each phase was started (evidence for "ran exactly once"). */
  attempts: Partial<Record<StepPhase, number>>;
  outputs: ActionOutput[];
  backupKey?: string;
  backupFile?: string;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** Job payloads of the cycle queue. */
export interface CyclePlanJobData {
  kind: "cycle-plan";
  cluster: string;
  /** Add-on names; empty means all. */
  addons: string[];
  dryRun: boolean;
  requester: Requester;
  reply: ReplyAddress;
  requestedAt: string;
  /** Rollback plans: the failed cycle whose backups to restore. */
  rollbackOf?: string;
}

export interface CycleRunJobData {
  kind: "cycle-run";
  planId: string;
  planHash: string;
  cluster: string;
  reply: ReplyAddress;
  requester: Requester;
  approvedBy: string[];
  /** Set once this run started a watch of its cluster, so a resumed run knows the watch is its own. */
  watchStarted?: boolean;
}

export type CycleJobData = CyclePlanJobData | CycleRunJobData;

/**
 * Where a cycle is, as its thread's root says (src/render/cycles.ts has the words). Whoever makes
 * the change sets it: the plan job, the approval engine (votes, ❌, expiry), the abort command or
 * the run job.
 */
export type CycleRootState =
  | { state: "planning" }
  | { state: "planned"; steps: number; required: number }
  | { state: "dry-run"; steps: number }
  | { state: "nothing-to-do"; why: string }
  | { state: "could-not-plan"; why: string }
  | { state: "re-planned" }
  | { state: "approved"; by: string[] }
  | { state: "running"; step: number; of: number; addon: string }
  | { state: "done"; steps: number }
  | { state: "failed"; step: number; of: number; addon: string }
  | { state: "cancelled"; by?: string }
  | { state: "expired" }
  | { state: "abort-requested"; by: string }
  | { state: "aborted"; after: number; of: number };

/** Posts a note in a plan's thread and edits its root (the approval engine, which has the posters). */
export type CycleNotifier = (planId: string, text: string, state: CycleRootState) => Promise<void>;
