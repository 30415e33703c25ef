// Turns a check report into chat messages: a root headline that is edited as the run goes, and
// thread replies grouped by severity. Long groups are folded: the first items inline, the full
// list as a file, so a 500-finding cluster does not become 500 messages.
import type { CheckReport } from "../checks/preflight.ts";
import type { ChatMessage } from "../chat/types.ts";
import { userText } from "../chat/userText.ts";
import { type Finding, SEVERITIES, type Severity } from "../checks/types.ts";
import { plural } from "./english.ts";
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

export function verdictState(
  report: Pick<CheckReport, "verdict" | "counts"> & { warnings?: readonly string[] },
): string {
  // "blocker" is a noun and takes a plural; the other severities read as adjectives ("2 high").
  const parts = SEVERITIES.filter((s) => s !== "info" && report.counts[s] > 0).map((s) =>
    s === "blocker" ? plural(report.counts.blocker, "blocker") : `${report.counts[s]} ${s}`,
  );
  const counts = parts.length ? ` (${parts.join(", ")})` : "";
  // A target past the horizon is never plainly "ready": the headline carries the caveat too.
  const caveat = report.warnings?.length ? "; ⚠️ target beyond Upshift's knowledge" : "";
  if (report.verdict === "blocked") return `*blocked*${counts}${caveat}`;
  if (report.verdict === "warnings") return `*warnings*${counts}${caveat}`;
  return `*ready* (no findings${caveat})`;
}

/** The sentence every report ends with: how far Upshift's knowledge reaches. */
export function horizonLine(report: Pick<CheckReport, "knowledgeHorizon">): string {
  return `Upshift's knowledge covers Kubernetes releases up to ${report.knowledgeHorizon}.`;
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
      // The file holds only what the message did not show: each problem appears once in the thread.
      message.text += `\n\n…and ${rest} more ${severity} ${rest === 1 ? "finding" : "findings"}, in the attached file.`;
      message.file = {
        name: `${severity}-findings.txt`,
        content: group.slice(shown).map(formatFindingLine).join("\n"),
      };
    }
    messages.push(message);
  }
  return messages;
}

/** "3 findings ignored by rules and annotations": what the report does not show, and why. */
export function ignoredNote(count: number): string {
  return `${plural(count, "finding")} ignored by rules and annotations`;
}

export function reportMessages(report: CheckReport, opts: FoldOptions = {}): ChatMessage[] {
  // Warnings come first: a reader who stops at the first reply still sees them.
  const warnings: ChatMessage[] = report.warnings.map((w) => ({ text: `⚠️ ${w}` }));
  if (report.findings.length === 0) {
    return [
      ...warnings,
      { text: `✅ No findings: ${report.cluster} looks ready for ${report.target}. ${horizonLine(report)}` },
    ];
  }
  const summary = `Checked ${report.cluster} (${report.serverVersion} → ${report.target}) in ${(report.durationMs / 1000).toFixed(1)} s${report.suppressed ? `; ${ignoredNote(report.suppressed)}` : ""}. ${horizonLine(report)}`;
  return [...warnings, ...findingMessages(report.findings, opts), { text: summary }];
}
