// Turns a check report into chat messages: a root headline that is edited as the run goes, and
// thread replies grouped by severity. Long groups are folded: the first items inline, the full
// list as a file, so a 500-finding cluster does not become 500 messages.
import type { CheckReport } from "../checks/preflight.ts";
import type { ChatMessage } from "../chat/types.ts";
import { userText } from "../chat/userText.ts";
import { type Finding, SEVERITIES, type Severity } from "../checks/types.ts";
import { formatFindingLine, formatFindingText } from "./findingText.ts";

export const SEVERITY_LABEL: Record<Severity, string> = {
  blocker: "🛑 Blockers",
  high: "🔴 High",
  medium: "🟠 Medium",
  low: "🟡 Low",
  info: "ℹ️ Info",
};

export interface HeadlineInput {
  cluster: string;
  serverVersion?: string;
  target?: string;
  /** Already formatted for the platform: "<@U123>" on Slack/Discord, "@alice" on the console. */
  requester: string;
}

export function headline(input: HeadlineInput, state: string): ChatMessage {
  const from = input.serverVersion ? ` ${input.serverVersion}` : "";
  // The target came from the user's command: marked, so a platform shows it as text whatever it holds.
  const to = input.target ? ` → ${userText(input.target)}` : "";
  return { text: `*Upgrade check:* ${input.cluster}${from}${to}, requested by ${input.requester}: ${state}` };
}

export function verdictState(report: Pick<CheckReport, "verdict" | "counts">): string {
  const parts = SEVERITIES.filter((s) => s !== "info" && report.counts[s] > 0).map((s) => `${report.counts[s]} ${s}`);
  const counts = parts.length ? ` (${parts.join(", ")})` : "";
  if (report.verdict === "blocked") return `*blocked*${counts}`;
  if (report.verdict === "warnings") return `*warnings*${counts}`;
  return "*ready* (no findings)";
}

export interface FoldOptions {
  /** Findings listed inline per severity before folding the rest into a file. */
  inlinePerGroup?: number;
  /** Hard limit for one message's text (Discord: 2,000; Slack: 40,000 but readable is ~3,000). */
  maxChars?: number;
}

export function findingMessages(findings: readonly Finding[], opts: FoldOptions = {}): ChatMessage[] {
  const inline = opts.inlinePerGroup ?? 10;
  const maxChars = opts.maxChars ?? 3_000;
  const messages: ChatMessage[] = [];
  for (const severity of SEVERITIES) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    const title = `*${SEVERITY_LABEL[severity]}* (${group.length})`;
    const lines: string[] = [];
    let length = title.length;
    let shown = 0;
    for (const f of group) {
      if (shown >= inline) break;
      const entry = formatFindingText(f);
      if (length + entry.length + 2 > maxChars - 120) break;
      lines.push(entry);
      length += entry.length + 2;
      shown++;
    }
    const rest = group.length - shown;
    const message: ChatMessage = { text: [title, ...lines].join("\n\n") };
    if (rest > 0) {
      message.text += `\n\n…and ${rest} more ${severity} findings: full list attached.`;
      message.file = { name: `${severity}-findings.txt`, content: group.map(formatFindingLine).join("\n") };
    }
    messages.push(message);
  }
  return messages;
}

export function reportMessages(report: CheckReport, opts: FoldOptions = {}): ChatMessage[] {
  if (report.findings.length === 0) {
    return [{ text: `✅ No findings: ${report.cluster} looks ready for ${report.target}.` }];
  }
  const summary = `Checked ${report.cluster} (${report.serverVersion} → ${report.target}) in ${(report.durationMs / 1000).toFixed(1)} s${report.suppressed ? `; ${report.suppressed} findings suppressed by ignore rules` : ""}.`;
  return [...findingMessages(report.findings, opts), { text: summary }];
}
