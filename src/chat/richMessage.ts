// A message as structure, for posters that lay messages out (Slack Block Kit, Discord embeds):
// a tone (the verdict's colour), a title, sections of items (a finding, a step, an alert line),
// and context lines (cluster, target, duration, who asked). It knows no platform: each poster
// renders it within its platform's limits, and the message's `text` stays the plain fallback
// (notifications, the console, screen readers). Text in it is Upshift's neutral markdown
// (*bold*, `code`), converted by each poster like `text` is.
import { plainUserText } from "./userText.ts";

/** The colour of a message: ready/done, warnings, blocked/failed, neutral, in progress. */
export type Tone = "good" | "warning" | "danger" | "info" | "progress";

export interface RichLink {
  label: string;
  /** Absolute http(s) URL. */
  url: string;
}

export interface RichItem {
  text: string;
  link?: RichLink;
}

export interface RichSection {
  /** Plain words, e.g. "🛑 Blockers (3)". */
  title?: string;
  items: RichItem[];
  /** A closing line, e.g. "…and 7 more: full list attached." */
  note?: string;
}

export interface RichMessage {
  tone: Tone;
  /** Plain text, one line: the header. */
  title?: string;
  /** One paragraph under the title: the state, the verdict. */
  summary?: string;
  sections: RichSection[];
  /** Small print, one fact each: "cluster `prod`", "target 1.35", "took 2.1 s". */
  context: string[];
}

/** A button under a message. `value` is opaque to the platform and comes back with the click. */
export interface ChatAction {
  kind: "approve" | "cancel";
  label: string;
  value: string;
}

/** Shortens to `max` characters at a line break or space when one is near, marking the cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = max - 1;
  const nl = text.lastIndexOf("\n", room);
  const sp = text.lastIndexOf(" ", room);
  const cut = nl > room * 0.7 ? nl : sp > room * 0.7 ? sp : room;
  return `${text.slice(0, cut).trimEnd()}…`;
}

/** A title for a plain-text surface (Slack headers, Discord embed titles): markdown marks dropped. */
export function plainTitle(text: string): string {
  // User text in a title is shown as it is: a plain-text surface renders no markup to escape.
  return plainUserText(text)
    .replace(/[*_`~]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}
