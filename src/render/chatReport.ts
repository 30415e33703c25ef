// Turns a check report into chat messages: a root headline that is edited as the run goes, and
// thread replies grouped by severity. Long groups are folded: the first items inline, the full
// list as a file, so a 500-finding cluster does not become 500 messages.
import type { CheckReport } from "../checks/preflight.ts";
import type { ChatMessage } from "../chat/types.ts";
import { type Finding, SEVERITIES, type Severity } from "../checks/types.ts";
import { formatFindingLine, formatFindingText } from "./findingText.ts";
import { checkDocsLink, dayOf, type RichMessage, SEVERITY_TONE, type Tone, VERDICT_TONE } from "./richMessage.ts";

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
  /** When the check was asked for (ISO); the thread name carries its day. */
  requestedAt?: string;
}

export function headline(input: HeadlineInput, state: string): ChatMessage {
  const from = input.serverVersion ? ` ${input.serverVersion}` : "";
  const to = input.target ? ` → ${input.target}` : "";
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
  /** UPSHIFT_DOCS_URL: each finding links to its check's documentation when this is an absolute URL. */
  docsUrl?: string;
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
    message.rich = severityRich(severity, group, shown, rest, opts);
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

/**
 * The report's messages with their structure completed for posters that lay messages out: every
 * finding message gets the report's context (cluster, target), and the closing message (the
 * summary, or "no findings") becomes a message of the verdict's tone with the duration. Kept
 * apart from reportMessages, which decides what is said; this only adds how it is laid out.
 */
export function withReportStructure(messages: readonly ChatMessage[], report: CheckReport): ChatMessage[] {
  const context = reportContext(report);
  return messages.map((m, i) => {
    if (m.rich) return { ...m, rich: { ...m.rich, context: m.rich.context.length ? m.rich.context : context } };
    if (i !== messages.length - 1) return m;
    return {
      ...m,
      rich: { tone: verdictTone(report), summary: m.text, sections: [], context: [...context, durationOf(report)] },
    };
  });
}

/** The tone of a finished report's headline. */
export function verdictTone(report: Pick<CheckReport, "verdict">): Tone {
  return VERDICT_TONE[report.verdict];
}

/** The context lines of a report's messages: where and what it checked. */
export function reportContext(report: Pick<CheckReport, "cluster" | "serverVersion" | "target">): string[] {
  return [`cluster \`${report.cluster}\``, `${report.serverVersion} → ${report.target}`];
}

function durationOf(report: Pick<CheckReport, "durationMs">): string {
  return `took ${(report.durationMs / 1000).toFixed(1)} s`;
}

/** One severity's findings as structure: the same findings shown inline, each with its docs link. */
function severityRich(
  severity: Severity,
  group: readonly Finding[],
  shown: number,
  rest: number,
  opts: FoldOptions,
): RichMessage {
  return {
    tone: SEVERITY_TONE[severity],
    title: `${SEVERITY_LABEL[severity]} (${group.length})`,
    sections: [
      {
        items: group.slice(0, shown).map((f) => {
          const link = checkDocsLink(f.check, opts.docsUrl);
          return link ? { text: formatFindingText(f), link } : { text: formatFindingText(f) };
        }),
        ...(rest > 0 ? { note: `…and ${rest} more ${severity} findings: full list attached.` } : {}),
      },
    ],
    // The report's context (cluster, target) is added by withReportStructure.
    context: [],
  };
}

/**
 * The headline with its structure: a header that carries the verdict (each poster drops the
 * markdown a header cannot show), the requester as context, and the name of the thread it opens
 * (what was checked and the day, never a state).
 */
export function structuredHeadline(input: HeadlineInput, state: string, tone: Tone = "progress"): ChatMessage {
  const versions =
    input.serverVersion || input.target ? ` · ${input.serverVersion ?? "?"} → ${input.target ?? "next minor"}` : "";
  return {
    ...headline(input, state),
    rich: {
      tone,
      title: `Upgrade check · ${input.cluster}${versions}: ${state}`,
      sections: [],
      context: [`requested by ${input.requester}`],
    },
    threadName: `Upgrade check · ${input.cluster}${versions} · ${dayOf(input.requestedAt)}`,
  };
}
