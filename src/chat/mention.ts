import type { Requester } from "./types.ts";

/** How a user is mentioned in a message: Slack and Discord share the <@id> syntax. */
export function mention(r: Requester): string {
  return r.platform === "console" ? `@${r.name ?? r.userId}` : `<@${r.userId}>`;
}
