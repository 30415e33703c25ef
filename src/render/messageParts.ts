// Pieces the messages of several domains share: the tone of a verdict or a severity, a check's
// documentation link, and the day a thread name carries. The shape they fill is RichMessage
// (src/chat/richMessage.ts).

import type { RichLink, Tone } from "../chat/richMessage.ts";
import type { Severity } from "../checks/types.ts";

export const VERDICT_TONE: Record<"ready" | "warnings" | "blocked", Tone> = {
  ready: "good",
  warnings: "warning",
  blocked: "danger",
};

export const SEVERITY_TONE: Record<Severity, Tone> = {
  blocker: "danger",
  high: "danger",
  medium: "warning",
  low: "warning",
  info: "info",
};

/**
 * The documentation link of a check, when UPSHIFT_DOCS_URL is an absolute URL (a relative path
 * such as the default "docs/checks.md" is no link a chat client can open).
 */
export function checkDocsLink(check: string, docsUrl: string | undefined): RichLink | undefined {
  if (!docsUrl || !/^https?:\/\//.test(docsUrl)) return undefined;
  return { label: `${check} docs`, url: `${docsUrl}#${check.toLowerCase()}` };
}

/** "2026-12-01" from an ISO time (thread names carry the day a request was made). */
export function dayOf(iso: string | undefined, fallback = new Date()): string {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return (Number.isFinite(t) ? new Date(t) : fallback).toISOString().slice(0, 10);
}
