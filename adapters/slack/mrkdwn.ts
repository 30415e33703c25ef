// Upshift's neutral markdown (*bold*, `code`, "•"/"-" lists) to Slack mrkdwn. The two mostly
// agree; what differs is escaping (Slack reads "<...>" as a link or mention, so "<release>" in a
// remediation would vanish), "**bold**", "[text](url)" links and "-" bullets. Text a user typed
// (marked with userText() in src/ and commands/) is escaped whole: Slack's control characters are
// exactly &, < and > ("Formatting text for app surfaces", Escaping text:
// https://docs.slack.dev/messaging/formatting-message-text#escaping), so escaping all three
// turns "<!here>", "<@U…>" and "<https://…|label>" into plain text that pings and links nobody.
import { renderUserText } from "../../src/chat/userText.ts";

/** Slack entities that must survive escaping: mentions, channels, special mentions, links. */
const ENTITY = /<(?:[@#!][A-Za-z0-9^|_.-]+|(?:https?:\/\/|mailto:)[^<>|\s]+(?:\|[^<>]*)?)>/g;

function escapeText(text: string): string {
  return text
    .replace(/&(?!(?:amp|lt|gt);)/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/** Escapes &, < and > outside Slack entities, which are kept as written. */
export function escapeMrkdwn(text: string): string {
  let out = "";
  let last = 0;
  for (const m of text.matchAll(ENTITY)) {
    out += escapeText(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeText(text.slice(last));
}

/** User text as Slack shows it literally: every &, < and > escaped, entities included. */
export function escapeSlackUserText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function convert(text: string): string {
  const converted = text
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, "<$2|$1>")
    .replace(/\*\*([^*\n]+)\*\*/g, "*$1*")
    .replace(/^(\s*)- /gm, "$1• ");
  return escapeMrkdwn(converted);
}

export function toMrkdwn(text: string): string {
  return renderUserText(text, convert, escapeSlackUserText);
}
