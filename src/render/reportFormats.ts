// `upshift check` output formats. JSON is the stable machine format (documented in the README);
// SARIF and JUnit let CI systems show findings natively.
import type { CheckReport } from "../checks/preflight.ts";
import { type Finding, SEVERITIES } from "../checks/types.ts";
import { horizonLine, SEVERITY_LABEL, verdictState } from "./chatReport.ts";
import { formatFindingLine, formatObject } from "./findingText.ts";

export const OUTPUT_FORMATS = ["text", "json", "markdown", "sarif", "junit"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function renderReport(report: CheckReport, format: OutputFormat): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(toJson(report), null, 2)}\n`;
    case "markdown":
      return toMarkdown(report);
    case "sarif":
      return `${JSON.stringify(toSarif(report), null, 2)}\n`;
    case "junit":
      return toJunit(report);
    default:
      return toText(report);
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
  if (report.suppressed) lines.push(`  (${report.suppressed} findings suppressed by ignore rules)`);
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
  return `${out.join("\n")}\n`;
}

const SARIF_LEVEL = { blocker: "error", high: "error", medium: "warning", low: "note", info: "note" } as const;

function toSarif(report: CheckReport) {
  const ids = [...new Set(report.findings.map((f) => f.check))].sort();
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "upshift",
            informationUri: "https://github.com/upshift-dev/upshift",
            rules: ids.map((id) => ({ id, helpUri: `docs/checks.md#${id.toLowerCase()}` })),
          },
        },
        results: report.findings.map((f: Finding) => ({
          ruleId: f.check,
          level: SARIF_LEVEL[f.severity],
          message: { text: `${f.message}${f.evidence ? ` (evidence: ${f.evidence})` : ""}. Fix: ${f.remediation}` },
          locations: [
            {
              logicalLocations: [
                {
                  fullyQualifiedName: `${report.cluster}/${f.object.namespace ?? "_cluster"}/${f.object.kind}/${f.object.name}`,
                  kind: "resource",
                },
              ],
            },
          ],
          properties: { severity: f.severity, cluster: report.cluster, target: report.target },
        })),
        properties: { knowledgeHorizon: report.knowledgeHorizon, warnings: report.warnings },
      },
    ],
  };
}

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

function toJunit(report: CheckReport): string {
  const failing = report.findings.filter((f) => f.severity !== "info");
  const cases = report.findings.map((f) => {
    const name = xml(`${f.check} ${formatObject(f.object)}`);
    const body =
      f.severity === "info"
        ? ""
        : `<failure type="${f.severity}" message="${xml(f.message)}">${xml(formatFindingLine(f))}</failure>`;
    return `    <testcase classname="upshift.${xml(report.cluster)}" name="${name}">${body}</testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="upshift" tests="${report.findings.length}" failures="${failing.length}">`,
    `  <testsuite name="upgrade ${xml(report.cluster)} to ${xml(report.target)}" tests="${report.findings.length}" failures="${failing.length}">`,
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
