// Interaction responses (the 3 s callback, the edit of @original) on a REST instance of their own.
//
// Discord: "All bots can make up to 50 requests per second to our API ... Interaction endpoints
// are not bound to the bot's Global Rate Limit" (https://discord.com/developers/docs/topics/rate-limits#global-rate-limit;
// the endpoints are those of https://discord.com/developers/docs/interactions/receiving-and-responding#endpoints:
// POST /interactions/{id}/{token}/callback and /webhooks/{application.id}/{token}[/messages/...]).
// They are authenticated by the interaction token in the path, not by the bot token.
//
// @discordjs/rest 2.6 (SequentialHandler.runRequest) counts every request of one REST instance
// against its client-side global limit (globalRequestsPerSecond, 50), whatever the route and
// `auth: false` or not. On the discord.js client's own instance a burst of 200 commands (200
// callbacks + 200 edits) therefore waited in that queue: ~3 s p99 for the edit. Here the global
// limit is lifted for this instance only; per-route buckets still apply (every interaction token
// is a bucket of its own), and a 429 with X-RateLimit-Global from Discord is still obeyed.
import { REST } from "@discordjs/rest";
import {
  type APIApplicationCommandOptionChoice,
  type APIInteractionResponse,
  InteractionResponseType,
  MessageFlags,
  Routes,
} from "discord.js";
import { discordRestAgent } from "./restAgent.ts";

/** Ephemeral replies ping nobody, whatever their text holds. */
const NO_MENTIONS = { parse: [] as [] };

/** What the responder needs of an interaction: ids from the gateway payload. */
export interface InteractionRef {
  id: string;
  token: string;
  applicationId: string;
}

export class InteractionResponder {
  /** The REST instance interaction routes go through (never the bot token's global queue). */
  readonly rest: REST;

  constructor(opts: { apiUrl?: string; timeoutMs: number }) {
    this.rest = new REST({
      version: "10",
      timeout: opts.timeoutMs,
      agent: discordRestAgent,
      globalRequestsPerSecond: Number.POSITIVE_INFINITY,
      ...(opts.apiUrl ? { api: opts.apiUrl } : {}),
    });
  }

  private callback(i: InteractionRef, body: APIInteractionResponse): Promise<unknown> {
    return this.rest.post(Routes.interactionCallback(i.id, i.token), { body, auth: false });
  }

  /** Type 5: "thinking…", ephemeral; the answer follows as an edit of @original. */
  defer(i: InteractionRef): Promise<unknown> {
    return this.callback(i, {
      type: InteractionResponseType.DeferredChannelMessageWithSource,
      data: { flags: MessageFlags.Ephemeral },
    });
  }

  /** Type 4: an ephemeral answer in place of a deferral. */
  replyEphemeral(i: InteractionRef, content: string): Promise<unknown> {
    return this.callback(i, {
      type: InteractionResponseType.ChannelMessageWithSource,
      data: { content, flags: MessageFlags.Ephemeral, allowed_mentions: NO_MENTIONS },
    });
  }

  /** Type 8: autocomplete choices. */
  autocomplete(i: InteractionRef, choices: APIApplicationCommandOptionChoice[]): Promise<unknown> {
    return this.callback(i, { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices } });
  }

  /** Edits the deferred reply (PATCH /webhooks/{app}/{token}/messages/@original). */
  editOriginal(i: InteractionRef, content: string): Promise<unknown> {
    return this.rest.patch(Routes.webhookMessage(i.applicationId, i.token, "@original"), {
      body: { content, allowed_mentions: NO_MENTIONS },
      auth: false,
    });
  }

  /** Stops the instance's sweeper timers (as discord.js does for its own on destroy). */
  destroy(): void {
    this.rest.clearHashSweeper();
    this.rest.clearHandlerSweeper();
  }
}
