// Contracts of the watch: the events rules see and what a rule returns (the job payload a watch
// runs from is WatchJobData, src/queue/jobs.ts). Rules are pure functions of (event, previous
// state, small timers): everything that talks to Redis or chat lives in the session and the alert
// sink, so rules test without either.
import type { Severity } from "../checks/types.ts";
import type { KubeObject } from "../kube/resources.ts";

/** The resources a watch keeps open, by key of WATCHED_RESOURCES. */
export type WatchedKey =
  | "pods"
  | "nodes"
  | "deployments"
  | "daemonsets"
  | "statefulsets"
  | "events"
  | "helmReleases"
  | "crds";

export interface ObjectEvent {
  resource: WatchedKey;
  /** "SYNC" is an object seen in a re-list after 410 Gone (compared with what we held before). */
  type: "ADDED" | "MODIFIED" | "DELETED" | "SYNC";
  obj: KubeObject;
  /** The object as last seen by this worker; undefined when unknown (first sight, or after a takeover). */
  prev?: KubeObject;
}

/** The object an alert is about: alerts about one object share a thread. */
export interface AlertSubject {
  kind: string;
  namespace?: string;
  name: string;
}

export interface AlertDraft {
  ruleId: string;
  /** Short machine reason, e.g. "CrashLoopBackOff"; dedupe and counts go by subject + reason. */
  reason: string;
  severity: Severity;
  /** Catalogue check id the alert links to, e.g. "POD-01". */
  check: string;
  subject: AlertSubject;
  /** What was seen, specific: container, counts, messages. */
  evidence: string;
  likelyCause: string;
  /** The next command to run, concrete for this object (`kubectl logs -n NS POD -c C --previous`). */
  hint?: string;
  /** Already so when the watch started (its first list): reported once, as the baseline. */
  baseline?: boolean;
  /** When the condition was observed (ms since epoch), for latency measurement. */
  observedAt: number;
}

export interface RuleOptions {
  /** How long a Helm release may stay pending before it is reported (default 5 minutes). */
  helmPendingMs: number;
  /** Restarts of one container, seen during the watch, that count as "restarting repeatedly". */
  restartThreshold: number;
  /** How long a CRD may be ahead of its controller before it is reported (a Helm upgrade applies CRDs first). */
  crdSkewGraceMs: number;
}

export const DEFAULT_RULE_OPTIONS: RuleOptions = {
  helmPendingMs: 5 * 60_000,
  restartThreshold: 3,
  crdSkewGraceMs: 2 * 60_000,
};

/** What a rule may read and keep between events. */
export interface RuleContext {
  cluster: string;
  now: number;
  options: RuleOptions;
  /** Named timestamps that survive a worker takeover (persisted in Redis by the session). */
  timers: {
    get(key: string): number | undefined;
    set(key: string, at: number): void;
    delete(key: string): void;
    entries(prefix: string): Array<[string, number]>;
  };
  /** Objects this worker currently holds (possibly partial right after a takeover). */
  lookup(resource: WatchedKey): Iterable<KubeObject>;
}

export interface WatchRule {
  id: string;
  /** The reason(s) this rule reports, for documentation and summaries. */
  reason: string;
  severity: Severity;
  check: string;
  /** Resources whose events this rule reads. */
  resources: readonly WatchedKey[];
  onEvent(ev: ObjectEvent, ctx: RuleContext): AlertDraft[];
  /** Time-based conditions (pending for longer than...), evaluated about once a second. */
  onTick?(ctx: RuleContext): AlertDraft[];
}

export function subjectKey(s: AlertSubject): string {
  return `${s.kind}/${s.namespace ?? ""}/${s.name}`;
}

export function describeSubject(s: AlertSubject): string {
  return `${s.kind} \`${s.namespace ? `${s.namespace}/` : ""}${s.name}\``;
}
