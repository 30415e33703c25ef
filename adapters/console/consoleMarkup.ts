// The console's renderer of chat markup. Upshift writes Slack/Discord mrkdwn (*bold*, <@U123>
// mentions, <#channel> links); a terminal shows what a chat client would show instead: the
// name, never the raw markup.

/** "*bold*" → "bold", "<@alice>" → "@alice", "<#upgrades>" → "#upgrades", "<url|text>" → "text (url)". */
export function renderConsoleMarkup(text: string): string {
  return (
    text
      .replace(/\*([^*\n]+)\*/g, "$1")
      // Slack user groups: <!subteam^S0614TZR7|@sre> or <!subteam^S0614TZR7>.
      .replace(/<!subteam\^([^>|]+)\|([^>]+)>/g, "$2")
      .replace(/<!subteam\^([^>|]+)>/g, "@$1")
      // Slack broadcasts: <!here>, <!channel>.
      .replace(/<!(here|channel|everyone)>/g, "@$1")
      // Discord roles <@&id>, users <@id> / <@!id>, Slack users <@U123|name>.
      .replace(/<@&([^>|]+)>/g, "@$1")
      .replace(/<@!?([^>|]+)\|([^>]+)>/g, "@$2")
      .replace(/<@!?([^>|]+)>/g, "@$1")
      // Channel links: <#C123|name> (Slack) or <#name> / <#id> (Discord, and the console's own).
      .replace(/<#([^>|]+)\|([^>]+)>/g, "#$2")
      .replace(/<#([^>|]+)>/g, "#$1")
      // Links: <https://x|text> → "text (https://x)", <https://x> → "https://x".
      .replace(/<((?:https?|mailto):[^>|]+)\|([^>]+)>/g, "$2 ($1)")
      .replace(/<((?:https?|mailto):[^>|]+)>/g, "$1")
  );
}
