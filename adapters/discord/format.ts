// Turns Upshift's platform-neutral message text into Discord message content: Slack-style
// *bold* becomes **bold**, and text over Discord's 2,000-character limit is split at line
// boundaries (never inside a word when avoidable), closing and reopening code fences so each
// part renders on its own. Text a user typed (marked with userText() in src/ and commands/) has
// its markdown escaped (discord.js's escapeMarkdown, masked links included) and its mentions defused:
// "<" is escaped so <@id>, <@&id> and <#id> stay text, and @everyone/@here get a zero-width
// space; allowed_mentions on every message is the second lock on the same door.
import { escapeMarkdown } from "discord.js";
import { plainUserText, renderUserText } from "../../src/chat/userText.ts";
import { discordTraits } from "./discordTraits.ts";

/** Discord's limit for a message's content. */
export const DISCORD_MAX_CHARS = discordTraits.maxMessageChars;

/** User text as Discord shows it literally: markdown escaped, mentions inert. */
export function escapeDiscordUserText(text: string): string {
  // Headings and lists are line-start syntax, and an echo is one line inside a sentence (userText
  // folds line breaks); escaping them would only turn "1.32" into "1\\.32".
  return escapeMarkdown(text, { maskedLink: true })
    .replace(/</g, "\\<")
    .replace(/@(everyone|here)/gi, "@\u200b$1");
}

function convert(text: string): string {
  return text
    .split(/(```[\s\S]*?```|`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/(^|[^*\w])\*(?!\s)([^*\n]+?)\*(?![*\w])/g, "$1**$2**")))
    .join("");
}

/** *bold* (Slack and ChatMessage convention) → **bold** (Discord); `code` is left alone. */
export function toDiscordMarkdown(text: string): string {
  return renderUserText(text, convert, escapeDiscordUserText);
}

/** Splits text into parts of at most `max` characters, preferring line breaks, then spaces. */
export function splitMessage(text: string, max = DISCORD_MAX_CHARS): string[] {
  if (max < 20) throw new Error(`splitMessage: max must be at least 20 characters, got ${max}`);
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let current = "";
  let fence: string | undefined;
  // Room kept for closing a fence ("\n```") at the end of a part.
  const reserve = 4;
  const flush = () => {
    if (current.length === 0) return;
    parts.push(fence ? `${current}\n\`\`\`` : current);
    current = fence ?? "";
  };
  for (const line of text.split("\n")) {
    for (const piece of hardWrap(line, max - reserve - 16)) {
      if (current.length > 0 && current.length + 1 + piece.length > max - reserve) flush();
      current = current.length > 0 ? `${current}\n${piece}` : piece;
      // An odd number of fences on a line opens or closes a code block.
      if (((piece.match(/```/g)?.length ?? 0) & 1) === 1)
        fence = fence ? undefined : (/```(\S*)/.exec(piece)?.[0] ?? "```");
    }
  }
  if (current.trim().length > 0 && current !== fence) parts.push(current);
  return parts.filter((p) => p.trim().length > 0);
}

/** Breaks one over-long line at spaces, or hard at `width` when a word is longer. */
function hardWrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(" ", width);
    if (cut < width / 2) cut = width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) out.push(rest);
  return out;
}

/** Shortens to one part that fits, at a line boundary where possible, marking the cut. */
export function truncateMessage(text: string, max = DISCORD_MAX_CHARS): string {
  if (text.length <= max) return text;
  const marker = "\n…";
  const room = max - marker.length;
  const cut = text.lastIndexOf("\n", room);
  return `${text.slice(0, cut > room / 2 ? cut : room)}${marker}`;
}

/** A thread name from a message: first line, markdown stripped, 1–100 characters. */
export function threadName(text: string): string {
  const first = (plainUserText(text).split("\n")[0] ?? "")
    // Mentions do not render in thread names; drop them before stripping markdown's ">".
    .replace(/<(@[!&]?|#)\d+>/g, "")
    .replace(/[*_`~>]/g, "")
    .replace(/\s+/g, " ")
    .replace(/\s+([,:;.])/g, "$1")
    .trim();
  const name = first.length > 100 ? `${first.slice(0, 99)}…` : first;
  return name || "Upshift";
}
