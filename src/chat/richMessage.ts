// A message as structure, for posters that lay messages out (Slack Block Kit, Discord embeds):
// a tone (the verdict's colour), a title, sections of items (a finding, a step, an alert line),
// and context lines (cluster, target, duration, who asked). It knows no platform: each poster
// renders it within its platform's limits, and the message's `text` stays the plain fallback
// (notifications, the console, screen readers). Text in it is Upshift's neutral markdown
// (*bold*, `code`), converted by each poster like `text` is.

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
