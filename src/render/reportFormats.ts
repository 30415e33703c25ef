// `upshift check` output formats. JSON is the stable machine format (documented in the README);
// SARIF (validated against the OASIS SARIF 2.1.0 schema in the tests) and JUnit let CI systems
// show findings natively.
import { createHash } from "node:crypto";
import type { CheckReport } from "../checks/preflight.ts";
import type { CheckRun } from "../checks/runner.ts";
import { type Finding, SEVERITIES, SEVERITY_RANK, type Severity } from "../checks/types.ts";
import { horizonLine, ignoredNote, SEVERITY_LABEL, verdictState } from "./checks.ts";
import { formatFindingLine, formatObject } from "./findingText.ts";

export const OUTPUT_FORMATS = ["text", "json", "markdown", "sarif", "junit"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface RenderOptions {
  /**
   * Absolute URL of docs/checks.md (UPSHIFT_DOCS_URL or --docs-url). SARIF rules get a helpUri
   * only with it: a relative path is not a URI a code-scanning tool can open.
   */
  docsUrl?: string;
  /** --fail-on: JUnit fails a check's testcase for findings at or above it; "none" fails none. */
  failOn?: Severity | "none";
}

export function renderReport(report: CheckReport, format: OutputFormat, opts: RenderOptions = {}): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(toJson(report), null, 2)}\n`;
    case "markdown":
      return toMarkdown(report);
    case "sarif":
      return `${JSON.stringify(toSarif(report, opts), null, 2)}\n`;
    case "junit":
      return toJunit(report, opts);
    default:
      return toText(report);
  }
}

/** Whether a severity reaches --fail-on ("none" never does). */
export function reachesFailOn(severity: Severity, failOn: Severity | "none" = "blocker"): boolean {
  return failOn !== "none" && SEVERITY_RANK[severity] >= SEVERITY_RANK[failOn];
}

/** The checks that ran; a report from before `checks` existed lists those that found something. */
function checksOf(report: CheckReport): CheckRun[] {
  if (report.checks) return report.checks;
  const ids = [...new Set(report.findings.map((f) => f.check))].sort();
  return ids.map((id) => ({ id, title: id, severity: "info", remediation: "", reads: [], durationMs: 0 }));
}

/** An absolute http(s) URL, or undefined: "docs/checks.md" is a path, not a URI. */
export function absoluteDocsUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function toJson(report: CheckReport) {
  return {
    cluster: report.cluster,
    serverVersion: report.serverVersion,
    target: report.target,
    knowledgeHorizon: report.knowledgeHorizon,
    warnings: report.warnings,
    verdict: report.verdict,
    findings: report.findings.map((f) => ({
      check: f.check,
      severity: f.severity,
      object: {
        apiVersion: f.object.apiVersion,
        kind: f.object.kind,
        namespace: f.object.namespace,
        name: f.object.name,
      },
      message: f.message,
      evidence: f.evidence,
      remediation: f.remediation,
    })),
    /** Findings ignored by rules and annotations: counted, not listed. */
    ignored: report.suppressed,
  };
}

function plain(s: string): string {
  return s.replace(/\*/g, "");
}

function toText(report: CheckReport): string {
  const lines = [
    `Upgrade check: ${report.cluster} ${report.serverVersion} → ${report.target}: ${plain(verdictState(report))}`,
    ...report.warnings.map((w) => `  Warning: ${w}`),
  ];
  for (const f of report.findings) lines.push(`  ${formatFindingLine(f)}`);
  if (report.suppressed) lines.push(`  (${ignoredNote(report.suppressed)})`);
  lines.push(`  ${horizonLine(report)}`);
  return `${lines.join("\n")}\n`;
}

function mdCell(s: string | undefined): string {
  return (s ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function toMarkdown(report: CheckReport): string {
  const out = [
    `# Upgrade check: ${report.cluster} ${report.serverVersion} → ${report.target}`,
    "",
    `Verdict: ${verdictState(report)}`,
    "",
    ...report.warnings.flatMap((w) => [`> ⚠️ ${w}`, ""]),
    horizonLine(report),
    "",
  ];
  for (const severity of SEVERITIES) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (!group.length) continue;
    out.push(
      `## ${SEVERITY_LABEL[severity]} (${group.length})`,
      "",
      "| Check | Object | Finding | Evidence | Fix |",
      "|---|---|---|---|---|",
    );
    for (const f of group) {
      out.push(
        `| ${f.check} | \`${mdCell(formatObject(f.object))}\` | ${mdCell(f.message)} | ${mdCell(f.evidence)} | ${mdCell(f.remediation)} |`,
      );
    }
    out.push("");
  }
  if (report.suppressed) out.push(`_${ignoredNote(report.suppressed)}._`, "");
  return `${out.join("\n")}\n`;
}

const SARIF_LEVEL = { blocker: "error", high: "error", medium: "warning", low: "note", info: "note" } as const;

/** "Pods selected by more than one PodDisruptionBudget" → "PodsSelectedByMoreThanOnePodDisruptionBudget". */
function ruleName(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

/** "Deployment/apps/web" within the cluster: the object a finding is about, as SARIF names it. */
function logicalName(f: Finding): string {
  return `${f.object.namespace ? `${f.object.namespace}/` : ""}${f.object.kind}/${f.object.name}`;
}

/**
 * Stable across runs for the same problem: check, cluster and object, never the message (whose
 * counts and lists change as pods come and go), so code scanning tracks one alert over time.
 */
export function findingFingerprint(cluster: string, f: Finding): string {
  const o = f.object;
  return createHash("sha256")
    .update(JSON.stringify([f.check, cluster, o.apiVersion, o.kind, o.namespace ?? "", o.name]))
    .digest("hex")
    .slice(0, 32);
}

function toSarif(report: CheckReport, opts: RenderOptions) {
  const docs = absoluteDocsUrl(opts.docsUrl);
  const runs = checksOf(report);
  const ruleIndex = new Map(runs.map((r, i) => [r.id, i]));
  const rules = runs.map((r) => {
    const reads = r.reads.length ? ` It reads ${r.reads.join(", ")}.` : "";
    const helpUri = docs ? `${docs.split("#")[0]}#${r.id.toLowerCase()}` : undefined;
    return {
      id: r.id,
      name: ruleName(r.title),
      shortDescription: { text: r.title },
      fullDescription: { text: `${r.id}: ${r.title}. Default severity ${r.severity}.${reads}` },
      help: {
        text: r.remediation || r.title,
        markdown: `${r.remediation || r.title}${helpUri ? `\n\n[${r.id} in the check catalogue](${helpUri})` : ""}`,
      },
      ...(helpUri ? { helpUri } : {}),
      defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
      properties: { severity: r.severity },
    };
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "upshift",
            informationUri: "https://github.com/upshift-dev/upshift",
            rules,
          },
        },
        automationDetails: { id: `upshift/${report.cluster}/${report.target}/` },
        results: report.findings.map((f: Finding) => ({
          ruleId: f.check,
          ...(ruleIndex.has(f.check) ? { ruleIndex: ruleIndex.get(f.check) } : {}),
          level: SARIF_LEVEL[f.severity],
          message: { text: `${f.message}${f.evidence ? ` (evidence: ${f.evidence})` : ""} Fix: ${f.remediation}` },
          locations: [
            {
              logicalLocations: [
                {
                  name: f.object.name,
                  fullyQualifiedName: `${report.cluster}/${logicalName(f)}`,
                  kind: "resource",
                },
              ],
            },
          ],
          partialFingerprints: { "upshiftObject/v1": findingFingerprint(report.cluster, f) },
          properties: {
            severity: f.severity,
            cluster: report.cluster,
            target: report.target,
            object: { ...f.object },
          },
        })),
        properties: {
          cluster: report.cluster,
          serverVersion: report.serverVersion,
          ignored: report.suppressed,
          knowledgeHorizon: report.knowledgeHorizon,
          warnings: report.warnings,
        },
      },
    ],
  };
}

function xml(s: string): string {
  // Characters XML 1.0 cannot carry at all (control characters but tab, CR, LF) are dropped.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly what must go
  const clean = s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
  return clean.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/**
 * One testcase per check that ran, passing ones too, so CI shows what was checked; a check with
 * findings at or above --fail-on fails (one <failure> listing them), one that threw is an error,
 * findings below the threshold are listed in the testcase's system-out.
 */
function toJunit(report: CheckReport, opts: RenderOptions): string {
  const failOn = opts.failOn ?? "blocker";
  const runs = checksOf(report);
  const classname = xml(`upshift.${report.cluster}`);
  let failures = 0;
  let errors = 0;
  const cases = runs.map((run) => {
    const found = report.findings.filter((f) => f.check === run.id);
    const failing = found.filter((f) => reachesFailOn(f.severity, failOn));
    const rest = found.filter((f) => !reachesFailOn(f.severity, failOn));
    const parts: string[] = [];
    if (run.error !== undefined) {
      errors++;
      parts.push(`<error type="check-error" message="${xml(run.error)}"></error>`);
    } else if (failing.length > 0) {
      failures++;
      const worst = failing[0].severity;
      const summary = `${failing.length} ${failing.length === 1 ? "finding" : "findings"} at or above ${failOn}`;
      parts.push(
        `<failure type="${worst}" message="${xml(summary)}">${xml(failing.map(formatFindingLine).join("\n"))}</failure>`,
      );
    }
    if (rest.length > 0) parts.push(`<system-out>${xml(rest.map(formatFindingLine).join("\n"))}</system-out>`);
    const name = xml(`${run.id} ${run.title}`);
    return `    <testcase classname="${classname}" name="${name}" time="${seconds(run.durationMs)}">${parts.join("")}</testcase>`;
  });
  const time = seconds(report.durationMs);
  const suite = `upgrade ${report.cluster} ${report.serverVersion} to ${report.target}`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="upshift" tests="${runs.length}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${xml(suite)}" tests="${runs.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}" timestamp="${xml(report.checkedAt.replace(/Z$/, ""))}">`,
    "    <properties>",
    `      <property name="knowledgeHorizon" value="${xml(report.knowledgeHorizon)}"/>`,
    ...report.warnings.map((w) => `      <property name="warning" value="${xml(w)}"/>`),
    "    </properties>",
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
