import type { Finding, ObjectRef } from "../checks/types.ts";

export function formatObject(o: ObjectRef): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

/** A finding as a chat paragraph: id, object, message, evidence, remediation. */
export function formatFindingText(f: Finding): string {
  const lines = [`• *${f.check}* \`${formatObject(f.object)}\`: ${f.message}`];
  if (f.evidence) lines.push(`   evidence: ${f.evidence}`);
  lines.push(`   fix: ${f.remediation}`);
  return lines.join("\n");
}

/** A finding on one line, for files and plain text output. */
export function formatFindingLine(f: Finding): string {
  return `[${f.severity}] ${f.check} ${formatObject(f.object)}: ${f.message}${f.evidence ? ` (evidence: ${f.evidence})` : ""} — fix: ${f.remediation}`;
}
