// Every chat text of a watch: the root in the channel through its states, each alert (text and
// structure), the flood summary, and the summary when the watch ends. worker/watchProcessor.ts
// and the AlertSink (src/watch/alertSink.ts, given these texts) decide when each is posted.
import type { RichMessage } from "../chat/richMessage.ts";
import type { ChatMessage, Mentions } from "../chat/types.ts";
import type { WatchOrigin } from "../queue/jobs.ts";
import type { AlertFlood, AlertTexts } from "../watch/alertSink.ts";
import { type AlertDraft, describeSubject } from "../watch/types.ts";
import { checkDocsLink, SEVERITY_TONE } from "./messageParts.ts";

const SEVERITY_ICON: Record<string, string> = { blocker: "⛔", high: "🔴", medium: "🟠", low: "🟡", info: "ℹ️" };

export function checkLink(check: string, docsBase = "docs/checks.md"): string {
  return `${docsBase}#${check.toLowerCase()}`;
}

export function renderAlert(draft: AlertDraft, cluster: string, docsBase?: string): ChatMessage {
  const icon = SEVERITY_ICON[draft.severity] ?? "⚠️";
  const subject = `${draft.subject.kind} ${draft.subject.namespace ? `${draft.subject.namespace}/` : ""}${draft.subject.name}`;
  const docs = checkDocsLink(draft.check, docsBase);
  const rich: RichMessage = {
    tone: SEVERITY_TONE[draft.severity],
    title: `${icon} ${draft.reason}: ${subject}`,
    ...(draft.baseline ? { summary: "Already so when the watch started." } : {}),
    sections: [
      {
        items: [
          { text: `*Evidence:* ${draft.evidence}` },
          { text: `*Likely cause:* ${draft.likelyCause}` },
          ...(draft.hint ? [{ text: `*Next:* \`${draft.hint}\`` }] : []),
          docs
            ? { text: `*Check:* ${draft.check}`, link: docs }
            : { text: `*Check:* ${draft.check} (${checkLink(draft.check, docsBase)})` },
        ],
      },
    ],
    context: [`cluster \`${cluster}\``, `severity ${draft.severity}`],
  };
  return {
    rich,
    threadName: `${draft.reason} · ${subject} · ${cluster}`,
    text: [
      `${icon} *${draft.reason}*: ${describeSubject(draft.subject)} on \`${cluster}\`${draft.baseline ? " (already so when the watch started)" : ""}`,
      `*Evidence:* ${draft.evidence}`,
      `*Likely cause:* ${draft.likelyCause}`,
      ...(draft.hint ? [`*Next:* \`${draft.hint}\``] : []),
      `*Check:* ${draft.check} (${checkLink(draft.check, docsBase)})`,
    ].join("\n"),
  };
}

/** The one message that stands for the alerts a flood held back. */
export function floodSummary(flood: AlertFlood, docsBase?: string): ChatMessage {
  return {
    text: [
      `⚠️ *Alert flood on \`${flood.cluster}\`*: ${flood.total} more alerts after the first ${flood.limit} within ${flood.windowSeconds} s were not posted one by one:`,
      ...flood.parts.map((p) => `• ${p.reason} ×${p.n} (${p.check}: ${checkLink(p.check, docsBase)})`),
      "Something cluster-wide is going on (a node pool, a bad rollout or a shared dependency): look at the first alerts above.",
    ].join("\n"),
  };
}

/** The texts an AlertSink of one cluster posts; `docsBase` is where check docs live (UPSHIFT_DOCS_URL). */
export function watchAlertTexts(cluster: string, docsBase?: string): AlertTexts {
  return {
    alert: (draft) => renderAlert(draft, cluster, docsBase),
    flood: (flood) => floodSummary(flood, docsBase),
  };
}

export interface WatchSubject {
  cluster: string;
  /** ISO time the watch ends by itself. */
  until: string;
  origin: WatchOrigin;
}

/**
 * The watch's root in the channel: what is watched, until when, who started it, and its state.
 * `traits` are the posting platform's (its mentions).
 */
export function watchRoot(watch: WatchSubject, state: string, traits: Mentions): ChatMessage {
  const who = watch.origin.requester
    ? ` (started by ${traits.mention(watch.origin.requester)})`
    : watch.origin.by === "cycle"
      ? " (add-on cycle)"
      : "";
  const untilText = `${watch.until.slice(0, 16).replace("T", " ")} UTC`;
  return {
    text: `👀 Watching \`${watch.cluster}\` until ${untilText}${who}: ${state}`,
    threadName: `Watch · ${watch.cluster} · until ${untilText}`,
  };
}

/**
 * The root's first state. In the narrow Secrets mode (UPSHIFT_HELM_NAMESPACES) Helm releases are
 * not watched, and the root says why.
 */
export function watchStartedState(helmNamespaces?: readonly string[]): string {
  const helmOff = helmNamespaces
    ? ` (no Helm release alerts: Upshift may read Secrets only in ${helmNamespaces.join(", ")}, UPSHIFT_HELM_NAMESPACES, and watching releases needs them cluster-wide)`
    : "";
  return `alerts will appear in this channel${helmOff}`;
}

/** The root's last state. */
export function watchEndedState(total: number): string {
  return `ended, ${total} alerts`;
}

/** The summary in the root's thread when the watch ends: what it saw, by reason, most first. */
export function watchEndedSummary(
  cluster: string,
  ended: "time-limit" | "stopped",
  counts: Readonly<Record<string, number>>,
): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const lines = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `• ${reason}: ${n}`);
  return total
    ? `Watch of \`${cluster}\` ended (${ended === "stopped" ? "stopped" : "time limit"}). ${total} alerts:\n${lines.join("\n")}`
    : `Watch of \`${cluster}\` ended (${ended === "stopped" ? "stopped" : "time limit"}): nothing to report.`;
}
