// Runs every check against one CheckContext. A check that throws must not sink the run: its
// failure becomes an info finding ("could not evaluate") and the others still report — the
// lesson of INCIDENTS case 2, applied to Upshift itself.
import type { IgnoreRule } from "../config/schema.ts";
import type { KubeObject, ResourceKey } from "../kube/resources.ts";
import { compareText } from "../text/order.ts";
import { type Check, type CheckContext, type Finding, SEVERITY_RANK, type Severity } from "./types.ts";

export const IGNORE_ANNOTATION = "upshift.dev/ignore";

export type Verdict = "ready" | "warnings" | "blocked";

export interface CheckRunResult {
  findings: Finding[];
  /** Findings dropped by an ignore annotation or rule, for transparency in reports. */
  suppressed: number;
  /** Every check that ran, in catalogue order, passing or not (JUnit and SARIF list them all). */
  runs: CheckRun[];
}

/** One check's run: what it is, how long it took, and whether it threw. */
export interface CheckRun {
  id: string;
  title: string;
  severity: Severity;
  remediation: string;
  reads: readonly string[];
  durationMs: number;
  /** The check threw; its "could not evaluate" info finding carries the message. */
  error?: string;
}

export async function runChecks(
  checks: readonly Check[],
  ctx: CheckContext,
  ignoreRules: readonly IgnoreRule[] = [],
): Promise<CheckRunResult> {
  const produced: Finding[][] = [];
  const runs: CheckRun[] = [];
  for (const check of checks) {
    const started = performance.now();
    const { findings, error } = await evaluateCheck(check, ctx);
    produced.push([...findings, ...helmNotEvaluated(check, ctx)]);
    runs.push({
      id: check.id,
      title: check.title,
      severity: check.severity,
      remediation: check.remediation,
      reads: check.reads,
      durationMs: performance.now() - started,
      ...(error === undefined ? {} : { error }),
    });
  }
  const annotated = indexIgnoreAnnotations(checks, ctx);
  const findings: Finding[] = [];
  let suppressed = 0;
  for (const f of produced.flat()) {
    if (isIgnored(f, annotated, ignoreRules)) suppressed++;
    else findings.push(f);
  }
  findings.sort(compareFindings);
  return { findings, suppressed, runs };
}

/**
 * A check that reads Helm releases says where it could not look (namespaces whose release
 * Secrets Upshift may not read) instead of staying silent there: one info finding per namespace.
 */
function helmNotEvaluated(check: Check, ctx: CheckContext): Finding[] {
  if (!check.reads.includes("helmReleases")) return [];
  return ctx.secrets.helmUnreadable.map(({ namespace, reason }) => ({
    check: check.id,
    severity: "info" as const,
    object: { apiVersion: "v1", kind: "Namespace", name: namespace },
    message: `${check.id} not evaluated: no access to Secrets in namespace ${namespace} (${reason}).`,
    evidence: `Helm release Secrets in ${namespace} were not read`,
    remediation: `To check Helm releases there, add ${namespace} to UPSHIFT_HELM_NAMESPACES and its RoleBinding (deploy/kubernetes/components/helm-namespaces), or use the cluster-wide default.`,
  }));
}

async function evaluateCheck(check: Check, ctx: CheckContext): Promise<{ findings: Finding[]; error?: string }> {
  let produced: Finding[];
  let error: string | undefined;
  try {
    const raw = await check.evaluate(ctx);
    produced = raw.map((f) => ({
      check: check.id,
      severity: f.severity ?? check.severity,
      object: f.object,
      message: f.message,
      evidence: f.evidence,
      remediation: f.remediation ?? check.remediation,
    }));
  } catch (err) {
    error = (err as Error).message ?? String(err);
    produced = [
      {
        check: check.id,
        severity: "info",
        object: { apiVersion: "v1", kind: "Cluster", name: ctx.cluster },
        message: `could not evaluate ${check.id} (${check.title}): ${(err as Error).message}`,
        remediation: "Report this to the Upshift maintainers with the object that caused it; the other checks ran.",
      },
    ];
  }
  return { findings: produced, error };
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    compareText(a.check, b.check) ||
    compareText(a.object.namespace ?? "", b.object.namespace ?? "") ||
    compareText(a.object.name, b.object.name)
  );
}

/** kind/namespace/name → check ids ignored by the object's own annotation. */
function indexIgnoreAnnotations(checks: readonly Check[], ctx: CheckContext): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  const keys = new Set<ResourceKey>(checks.flatMap((c) => c.reads));
  for (const key of keys) {
    for (const o of ctx.objects(key)) {
      const value = o.metadata?.annotations?.[IGNORE_ANNOTATION];
      if (typeof value !== "string") continue;
      index.set(
        objectKey(o.kind, o.metadata?.namespace, o.metadata?.name),
        new Set(value.split(",").map((s) => s.trim().toUpperCase())),
      );
    }
  }
  return index;
}

function objectKey(kind: string | undefined, namespace: string | undefined, name: string | undefined): string {
  return `${kind ?? ""}/${namespace ?? ""}/${name ?? ""}`;
}

function isIgnored(f: Finding, annotated: Map<string, Set<string>>, rules: readonly IgnoreRule[]): boolean {
  const ids = annotated.get(objectKey(f.object.kind, f.object.namespace, f.object.name));
  if (ids && (ids.has(f.check) || ids.has("ALL"))) return true;
  return rules.some(
    (r) =>
      r.check === f.check &&
      (r.namespace === undefined || r.namespace === f.object.namespace) &&
      (r.name === undefined || r.name === f.object.name),
  );
}

export function verdictOf(findings: readonly Finding[]): Verdict {
  if (findings.some((f) => f.severity === "blocker")) return "blocked";
  if (findings.some((f) => f.severity !== "info")) return "warnings";
  return "ready";
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { blocker: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** Whether any finding is at or above `threshold` (for --fail-on and CI gates). */
export function anyAtOrAbove(findings: readonly Finding[], threshold: Severity): boolean {
  return findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[threshold]);
}

export type { KubeObject };
