// Every chat text about an upgrade check: a root headline that is edited as the run goes, thread
// replies grouped by severity, the note when a check cannot run, and the fleet check's root and
// summary (/upgrade-check all). Long groups are folded: the first items inline, the full list as
// a file, so a 500-finding cluster does not become 500 messages. worker/checkProcessor.ts and
// worker/fleetProcessor.ts decide when each is posted; this file decides what it says.

import type { RichMessage, Tone } from "../chat/richMessage.ts";
import type { ChatMessage, Mentions, Requester } from "../chat/types.ts";
import { userText } from "../chat/userText.ts";
import type { CheckReport } from "../checks/preflight.ts";
import { type Finding, SEVERITIES, type Severity } from "../checks/types.ts";
import { plural } from "../text/english.ts";
import { formatFindingLine, formatFindingText } from "./findingText.ts";
import { type FleetRow, renderFleetTable } from "./fleetTable.ts";
import { checkDocsLink, dayOf, SEVERITY_TONE, VERDICT_TONE } from "./messageParts.ts";

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
      // The file holds only what the message did not show: each problem appears once in the thread.
      message.text += `\n\n…and ${rest} more ${severity} ${rest === 1 ? "finding" : "findings"}, in the attached file.`;
      message.file = {
        name: `${severity}-findings.txt`,
        content: group.slice(shown).map(formatFindingLine).join("\n"),
      };
    }
    message.rich = severityRich(severity, group, shown, rest, opts);
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
  // The root is posted before the cluster answers: until then it names the target only.
  const target = input.target ?? "next minor";
  const versions = input.serverVersion ? ` · ${input.serverVersion} → ${target}` : ` → ${target}`;
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

/** The root's state while the check waits for the cluster, and once the cluster answered. */
export const CHECK_CHECKING = "checking…";
export function checkRunningState(retry: boolean): string {
  return retry ? "running (retry)" : "running";
}

/** The root's state when the check ended without a report. */
export function couldNotCheckState(reason: string): string {
  return `*could not check*: ${reason}`;
}

/** The thread note when the check ended without a report; a fleet child names its cluster. */
export function checkFailureNote(reason: string, fleetCluster?: string): string {
  return fleetCluster
    ? `⚠️ *${fleetCluster}*: the check could not run: ${reason}`
    : `⚠️ The check could not run: ${reason}`;
}

/** A fleet child's first reply in the fleet's thread: which cluster, and its verdict. */
export function fleetChildLine(
  report: Pick<CheckReport, "cluster" | "serverVersion" | "target" | "verdict" | "counts" | "warnings">,
): ChatMessage {
  return { text: `*${report.cluster}* ${report.serverVersion} → ${report.target}: ${verdictState(report)}` };
}

/** What a fleet check is about: the fleet job's data, or its summary's. */
export interface FleetSubject {
  clusters: readonly string[];
  target?: string;
  requester: Requester;
  requestedAt?: string;
}

function fleetHeadline(fleet: FleetSubject, state: string, traits: Mentions): { text: string } {
  return {
    text: `*Fleet upgrade check:* ${plural(fleet.clusters.length, "cluster")}${fleet.target ? ` → ${userText(fleet.target)}` : " → next minor"}, requested by ${traits.mention(fleet.requester)}: ${state}`,
  };
}

/**
 * The fleet headline with its structure: the verdict in the header, and a thread name that says
 * what it is. `traits` are the posting platform's (its mentions).
 */
export function fleetRoot(fleet: FleetSubject, state: string, traits: Mentions, tone: Tone = "progress"): ChatMessage {
  const what = `${plural(fleet.clusters.length, "cluster")}${fleet.target ? ` → ${userText(fleet.target)}` : " → next minor"}`;
  return {
    ...fleetHeadline(fleet, state, traits),
    rich: {
      tone,
      title: `Fleet upgrade check · ${what}: ${state}`,
      sections: [],
      context: [`requested by ${traits.mention(fleet.requester)}`],
    },
    threadName: `Fleet upgrade check · ${what} · ${dayOf(fleet.requestedAt)}`,
  };
}

/** The fleet root's state while its children run. */
export function fleetCheckingState(clusters: readonly string[]): string {
  return `checking ${clusters.join(", ")}`;
}

/** The fleet summary in the thread: how many clusters answered, and the table. */
export function fleetSummaryText(rows: readonly FleetRow[], answered: number, asked: number): string {
  return `*Fleet summary* (${answered} of ${plural(asked, "cluster")})\n${renderFleetTable(rows)}`;
}

/** The fleet root's final state and tone: counts by verdict, and the clusters that could not be checked. */
export function fleetDoneState(
  results: ReadonlyArray<Pick<CheckReport, "verdict">>,
  failures: number,
): { state: string; tone: Tone } {
  const state = [
    `${results.filter((r) => r.verdict === "ready").length} ready`,
    `${results.filter((r) => r.verdict === "warnings").length} with warnings`,
    `${results.filter((r) => r.verdict === "blocked").length} blocked`,
    `${failures} could not be checked`,
  ].join(", ");
  const tone: Tone =
    failures || results.some((r) => r.verdict === "blocked")
      ? "danger"
      : results.some((r) => r.verdict === "warnings")
        ? "warning"
        : "good";
  return { state: `*done*: ${state}`, tone };
}
