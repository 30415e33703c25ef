// Every text of an upgrade verify: a VerifyResult as chat messages (a headline for the root and
// its states, one reply per section, long sections folded into a file like check reports, the
// notes when there is no baseline or the verify cannot run) and as text, JSON or Markdown for
// `upshift verify`. Platform-neutral markup only (*bold*, `code`); adapters/ convert it.
import type { ChatMessage } from "../chat/types.ts";
import { plural } from "../text/english.ts";
import type { LeftItem, VerifyResult, WorseItem } from "../verify/diff.ts";

export const VERIFY_OUTPUT_FORMATS = ["text", "json", "markdown"] as const;
export type VerifyOutputFormat = (typeof VERIFY_OUTPUT_FORMATS)[number];

const SEVERITY_MARK: Record<string, string> = { blocker: "⛔", high: "🔴", medium: "🟠", low: "🟡", info: "ℹ️" };

export interface VerifyHeadlineInput {
  cluster: string;
  /** "v1.31.4 → v1.32.0" once known. */
  serverVersions?: { before?: string; now?: string };
  requester?: string;
}

export function verifyHeadline(input: VerifyHeadlineInput, state: string): ChatMessage {
  const v = input.serverVersions;
  const versions = v?.now ? (v.before && v.before !== v.now ? ` ${v.before} → ${v.now}` : ` ${v.now}`) : "";
  const who = input.requester ? `, requested by ${input.requester}` : "";
  return { text: `*Upgrade verify:* ${input.cluster}${versions}${who}: ${state}` };
}

/** The root's state while the cluster is read. */
export function verifyingState(retry: boolean): string {
  return retry ? "verifying… (retry)" : "verifying…";
}

/** The root's state when there was no baseline to compare with. */
export const NO_BASELINE_STATE = "*incomplete*: no baseline to compare with";

/** The root's state when the verify ended without a comparison. */
export function couldNotVerifyState(reason: string): string {
  return `*incomplete*: could not verify: ${reason}`;
}

/** The thread note when the verify ended without a comparison. */
export function verifyFailureNote(cluster: string, reason: string): string {
  return `⚠️ The verify of ${cluster} could not run: ${reason}`;
}

/** "*degraded* (2 worse, 1 left to do)". */
export function verifyState(r: VerifyResult): string {
  const parts = [
    r.worse.length ? `${r.worse.length} worse` : "",
    r.left.length ? `${r.left.length} left to do` : "",
    r.better.length ? `${r.better.length} better` : "",
  ].filter(Boolean);
  return `*${r.verdict}*${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

export function noBaselineText(cluster: string, reason?: string): string {
  return `No baseline of ${cluster} to compare with${reason ? ` (${reason})` : ""}. Every preflight keeps one for 30 days: take one now with \`/upgrade-check ${cluster}\`, then verify after the upgrade.`;
}

/** The no-baseline note as a reply: in another job's thread (a watch's, a cycle's) it carries the verify mark. */
export function noBaselineMessage(cluster: string, reason: string | undefined, inThread: boolean): ChatMessage {
  const text = noBaselineText(cluster, reason);
  return { text: inThread ? `🔎 ${text}` : text };
}

function ago(from: string, to: string): string {
  const minutes = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
  if (!Number.isFinite(minutes)) return "";
  if (minutes < 1) return " (less than a minute earlier)";
  if (minutes < 90) return ` (${plural(minutes, "minute")} earlier)`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return ` (${plural(hours, "hour")} earlier)`;
  return ` (${plural(Math.round(hours / 24), "day")} earlier)`;
}

const stamp = (iso: string) => iso.slice(0, 16).replace("T", " ");

export function baselineLine(r: VerifyResult): string {
  return `Compared with the baseline of ${stamp(r.baseline.takenAt)} UTC${ago(r.baseline.takenAt, r.now.takenAt)}, taken at ${r.baseline.serverVersion}.`;
}

const worseLine = (w: WorseItem) => `${SEVERITY_MARK[w.severity] ?? "•"} ${w.text}`;
const leftLine = (l: LeftItem) => `• ${l.text}${l.command ? `: \`${l.command}\`` : ""}`;

interface Section {
  title: string;
  lines: string[];
  file: string;
}

function sections(r: VerifyResult): Section[] {
  return [
    { title: "What the upgrade changed", lines: r.changed.map((c) => `• ${c}`), file: "changed.txt" },
    { title: "What got worse", lines: r.worse.map(worseLine), file: "worse.txt" },
    { title: "What is left to do", lines: r.left.map(leftLine), file: "left-to-do.txt" },
    { title: "What got better", lines: r.better.map((b) => `• ${b}`), file: "better.txt" },
  ].filter((s) => s.lines.length > 0);
}

/** A section as one message; lines past `maxChars` go to an attached file, each line shown once. */
function sectionMessage(s: Section, maxChars: number): ChatMessage {
  const title = `*${s.title}* (${s.lines.length})`;
  const shown: string[] = [];
  let length = title.length;
  for (const line of s.lines) {
    if (length + line.length + 1 > maxChars - 120) break;
    shown.push(line);
    length += line.length + 1;
  }
  const rest = s.lines.length - shown.length;
  const message: ChatMessage = { text: [title, ...shown].join("\n") };
  if (rest > 0) {
    message.text += `\n…and ${rest} more, in the attached file.`;
    message.file = { name: s.file, content: s.lines.slice(shown.length).join("\n") };
  }
  return message;
}

/** The thread under a verify root: notes and baseline first, then one reply per non-empty section. */
export function verifyMessages(r: VerifyResult, opts: { maxChars?: number } = {}): ChatMessage[] {
  const maxChars = opts.maxChars ?? 3_000;
  const intro = [baselineLine(r), ...r.notes.map((n) => `⚠️ ${n}`)].join("\n");
  const body = sections(r).map((s) => sectionMessage(s, maxChars));
  if (body.length === 0) body.push({ text: "✅ Nothing got worse, nothing is left to do." });
  return [{ text: intro }, ...body];
}

/**
 * One message for the end of a watch or an add-on cycle, posted in that thread: the verdict, the
 * baseline, and the sections, folded into one file when it would exceed `maxChars`.
 */
export function verifySummary(r: VerifyResult, opts: { maxChars?: number } = {}): ChatMessage {
  const maxChars = opts.maxChars ?? 3_000;
  const head = `🔎 *Upgrade verify* of ${r.cluster}: ${verifyState(r)}. ${baselineLine(r)}`;
  const parts = [head, ...r.notes.map((n) => `⚠️ ${n}`)];
  for (const s of sections(r)) parts.push(`*${s.title}* (${s.lines.length})\n${s.lines.join("\n")}`);
  const text = parts.join("\n\n");
  if (text.length <= maxChars) return { text };
  const counts = sections(r)
    .map((s) => `${s.title.toLowerCase()}: ${s.lines.length}`)
    .join("; ");
  return {
    text: `${head}\n${counts}. The full comparison is in the attached file.`,
    file: { name: "verify.txt", content: renderVerify(r, "text") },
  };
}

export function verifyJson(r: VerifyResult) {
  return {
    cluster: r.cluster,
    verdict: r.verdict,
    baseline: r.baseline,
    now: r.now,
    notes: r.notes,
    changed: r.changed,
    worse: r.worse,
    left: r.left,
    better: r.better,
  };
}

const plain = (s: string) => s.replace(/\*([^*\n]+)\*/g, "$1").replace(/`([^`\n]+)`/g, "$1");

export function renderVerify(r: VerifyResult, format: VerifyOutputFormat): string {
  if (format === "json") return `${JSON.stringify(verifyJson(r), null, 2)}\n`;
  const versions =
    r.baseline.serverVersion === r.now.serverVersion
      ? r.now.serverVersion
      : `${r.baseline.serverVersion} → ${r.now.serverVersion}`;
  const list = sections(r);
  if (format === "markdown") {
    const out = [`# Upgrade verify: ${r.cluster} ${versions}: ${r.verdict}`, "", baselineLine(r)];
    for (const n of r.notes) out.push("", `> ⚠️ ${n}`);
    for (const s of list)
      out.push("", `## ${s.title} (${s.lines.length})`, "", ...s.lines.map((l) => l.replace(/^• /, "- ")));
    if (list.length === 0) out.push("", "Nothing got worse, nothing is left to do.");
    return `${out.join("\n")}\n`;
  }
  const out = [`Upgrade verify: ${r.cluster} ${versions}: ${r.verdict}`, plain(baselineLine(r))];
  for (const n of r.notes) out.push(`! ${n}`);
  for (const s of list) out.push("", `${s.title} (${s.lines.length}):`, ...s.lines.map(plain));
  if (list.length === 0) out.push("", "Nothing got worse, nothing is left to do.");
  return `${out.join("\n")}\n`;
}
