// The Discord side of the bot process: one discord.js gateway client that turns slash commands
// into CommandInvocations for the shared router and reactions into ReactionEvents. It only
// acknowledges and replies ephemerally; the worker posts roots, threads and verdicts through
// DiscordPoster (REST), so the gateway being down never loses an accepted job.
import { once } from "node:events";
import {
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  Client,
  Events,
  GatewayIntentBits,
  type Interaction,
  type MessageReaction,
  type PartialMessageReaction,
  Partials,
  type PartialUser,
  type User,
} from "discord.js";
import type { CommandRouter } from "../../commands/router.ts";
import type { CommandInvocation, CommandSpec } from "../../commands/types.ts";
import type { ChatAdapter } from "../../src/chat/adapter.ts";
import type { ButtonAnswer, ButtonClick } from "../../src/chat/buttons.ts";
import type { ReactionEvent } from "../../src/chat/reactions.ts";
import type { Logger } from "../../src/log.ts";
import { parseCustomId } from "./embeds.ts";
import { DISCORD_MAX_CHARS, toDiscordMarkdown, truncateMessage } from "./format.ts";
import { InteractionResponder } from "./interactionResponder.ts";
import { discordRestAgent } from "./restAgent.ts";

/** ReactionEvent with what Discord adds: the guild and the reacting member's role ids. */
export interface DiscordReactionEvent extends ReactionEvent {
  guild?: string;
  /** Role ids of the member who reacted (guild reactions with member data only). */
  roles?: string[];
}

export interface DiscordBotOptions {
  token: string;
  applicationId: string;
  /** REST base override (DISCORD_API_URL); the gateway URL is then whatever that API's /gateway/bot says. */
  apiUrl?: string;
  /** Guild ids allowed to run commands; empty means every guild. */
  guildAllowlist: string[];
  router: CommandRouter;
  /** Configured kubeconfig contexts, for autocomplete. */
  contexts: () => string[];
  logger: Logger;
  onReaction?: (e: DiscordReactionEvent) => Promise<void>;
  /** A click on an approval plan's button; the answer is shown to the clicker only. */
  onButton?: (click: ButtonClick) => Promise<ButtonAnswer>;
  /** REST request timeout for interaction replies and the client's own calls; default 10 s. */
  restTimeoutMs?: number;
  /** How long start() waits for READY; default 30 s. */
  readyTimeoutMs?: number;
}

/** start() logs in and resolves once the gateway says READY (and guilds have arrived). */
export interface DiscordBot extends ChatAdapter {
  client: Client;
}

/** Discord allows at most 25 autocomplete choices, each name/value at most 100 characters. */
const MAX_CHOICES = 25;

export function createDiscordBot(opts: DiscordBotOptions): DiscordBot {
  if (!opts.token) throw new Error("createDiscordBot: token is required (DISCORD_TOKEN)");
  if (!/^\d{5,25}$/.test(opts.applicationId))
    throw new Error("createDiscordBot: applicationId must be a Discord id (digits, DISCORD_APPLICATION_ID)");
  const log = opts.logger.child({ platform: "discord" });
  const allow = new Set(opts.guildAllowlist);

  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.GuildMessageReactions],
    // Partials let reactions on messages (and from users) the client has never seen, e.g. sent
    // before a restart, still arrive as events instead of being dropped for lack of cache.
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User, Partials.GuildMember],
    rest: {
      timeout: opts.restTimeoutMs ?? 10_000,
      agent: discordRestAgent,
      ...(opts.apiUrl ? { api: opts.apiUrl } : {}),
    },
  });

  // Interaction replies bypass the client's REST queue: it holds them to the bot's global limit,
  // which Discord does not apply to interaction endpoints (interactionResponder.ts).
  const responder = new InteractionResponder({ apiUrl: opts.apiUrl, timeoutMs: opts.restTimeoutMs ?? 10_000 });

  client.on(Events.InteractionCreate, (interaction) => {
    handleInteraction(interaction).catch((err) =>
      log.error({ err, interaction: interaction.id }, "interaction failed"),
    );
  });
  client.on(Events.MessageReactionAdd, (reaction, user) => {
    forwardReaction(true, reaction, user).catch((err) => log.error({ err }, "reaction handler failed"));
  });
  client.on(Events.MessageReactionRemove, (reaction, user) => {
    forwardReaction(false, reaction, user).catch((err) => log.error({ err }, "reaction handler failed"));
  });
  client.on(Events.ShardDisconnect, (event, shard) =>
    log.warn({ shard, code: event.code }, "gateway disconnected; not reconnecting"),
  );
  client.on(Events.ShardReconnecting, (shard) => log.info({ shard }, "gateway reconnecting"));
  client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, "gateway resumed"));
  client.on(Events.ShardReady, (shard) => log.info({ shard }, "gateway ready"));
  client.on(Events.Error, (err) => log.error({ err }, "discord client error"));
  client.on(Events.Warn, (message) => log.warn({ message }, "discord client warning"));

  function specFor(name: string): CommandSpec | undefined {
    return opts.router.specs().find((s) => s.name === name);
  }

  async function handleInteraction(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) return answerAutocomplete(interaction);
    if (interaction.isChatInputCommand()) return runCommand(interaction);
    if (interaction.isButton()) return clickButton(interaction);
  }

  /**
   * An Approve / Cancel click. Discord signs interactions itself and delivers them over the
   * gateway to this logged-in client, so what arrives here is Discord's. The answer is ephemeral:
   * a refused click (not an approver, the requester, an old plan's button) is told to the
   * clicker only; the thread shows what was counted.
   */
  async function clickButton(interaction: ButtonInteraction): Promise<void> {
    const parsed = parseCustomId(interaction.customId);
    if (!parsed || !opts.onButton) return;
    const guild = interaction.guildId ?? undefined;
    if (allow.size > 0 && (!guild || !allow.has(guild))) {
      await responder.replyEphemeral(interaction, "Upshift is not enabled for this server: nothing was counted.");
      return;
    }
    // Three seconds for the first answer; the vote talks to Redis and posts in the thread.
    // Through the responder, like command replies: not held by the bot's global rate limit.
    await responder.defer(interaction);
    const roles = memberRoles(interaction.member, interaction.guildId);
    let notice: string;
    try {
      ({ notice } = await opts.onButton({
        platform: "discord",
        userId: interaction.user.id,
        decision: parsed.kind,
        value: parsed.value,
        channel: interaction.channelId,
        messageId: interaction.message.id,
        ...(guild ? { guild } : {}),
        ...(roles.length ? { roles } : {}),
      }));
      log.info({ user: interaction.user.id, decision: parsed.kind }, "approval button handled");
    } catch (err) {
      log.error({ err }, "approval button failed");
      notice = `Upshift could not count this click: ${errorText(err)}. Try again in a moment.`;
    }
    await responder.editOriginal(interaction, truncateMessage(toDiscordMarkdown(notice), DISCORD_MAX_CHARS));
  }

  async function answerAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
    const focused = interaction.options.getFocused(true);
    const option = specFor(interaction.commandName)?.options.find((o) => o.name === focused.name);
    if (option?.autocomplete !== "contexts" || (allow.size > 0 && !allow.has(interaction.guildId ?? ""))) {
      await responder.autocomplete(interaction, []);
      return;
    }
    const typed = String(focused.value).toLowerCase();
    // Only the clusters this user may name here with this command (every one without access rules).
    const contexts = await opts.router.contextsFor(
      {
        platform: "discord",
        channel: interaction.channelId,
        userId: interaction.user.id,
        roles: memberRoles(interaction.member, interaction.guildId),
      },
      interaction.commandName,
      opts.contexts(),
    );
    // Prefix matches first, then substring matches: "prod" finds "prod-eu" before "gke-prod".
    const ranked = [
      ...contexts.filter((c) => c.toLowerCase().startsWith(typed)),
      ...contexts.filter((c) => !c.toLowerCase().startsWith(typed) && c.toLowerCase().includes(typed)),
    ];
    // Names longer than Discord's 100-character limit cannot be offered as choices.
    await responder.autocomplete(
      interaction,
      ranked
        .filter((c) => c.length <= 100)
        .slice(0, MAX_CHOICES)
        .map((c) => ({ name: c, value: c })),
    );
  }

  async function runCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const guild = interaction.guildId ?? undefined;
    if (allow.size > 0 && (!guild || !allow.has(guild))) {
      log.warn(
        { guild, command: interaction.commandName, user: interaction.user.id },
        "command from a guild outside DISCORD_GUILD_IDS refused",
      );
      await responder.replyEphemeral(
        interaction,
        guild
          ? `Upshift is not enabled for this server (guild ${guild}): nothing was run. An admin can add it to DISCORD_GUILD_IDS.`
          : "Upshift commands work only in the servers it is enabled for, not in direct messages: nothing was run.",
      );
      return;
    }
    // Discord allows 3 s for the first response; the router may talk to Redis, so defer first.
    await responder.defer(interaction);
    const invocation = invocationFrom(interaction, specFor(interaction.commandName));
    // A failed command is answered (and logged) by the router like any other reply.
    const reply = await opts.router.handle(invocation);
    log.info(
      { command: invocation.name, guild, user: invocation.requester.userId, refused: reply.refused },
      "command handled",
    );
    await responder.editOriginal(interaction, truncateMessage(toDiscordMarkdown(reply.text), DISCORD_MAX_CHARS));
  }

  async function forwardReaction(
    added: boolean,
    reaction: MessageReaction | PartialMessageReaction,
    user: User | PartialUser,
  ): Promise<void> {
    if (!opts.onReaction || user.id === client.user?.id) return;
    if (reaction.partial) {
      // Only ids and the emoji are needed, and the gateway gave those; a fetch fills in the rest
      // when it can (it cannot for a reaction that was just removed for good).
      await reaction.fetch().catch((err) => log.debug({ err }, "could not fetch partial reaction"));
    }
    const message = reaction.message;
    const guildId = message.guildId ?? undefined;
    const member = guildId ? client.guilds.cache.get(guildId)?.members.cache.get(user.id) : undefined;
    const emoji = reaction.emoji.id
      ? `${reaction.emoji.name ?? "_"}:${reaction.emoji.id}`
      : (reaction.emoji.name ?? "");
    const event: DiscordReactionEvent = {
      platform: "discord",
      added,
      userId: user.id,
      emoji,
      channel: message.channelId,
      messageId: message.id,
    };
    if (guildId) event.guild = guildId;
    if (member) event.roles = member.roles.cache.filter((r) => r.id !== guildId).map((r) => r.id);
    await opts.onReaction(event);
  }

  return {
    name: "discord",
    client,
    async start() {
      const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(opts.readyTimeoutMs ?? 30_000) });
      // A failed login must not leave this promise rejecting unobserved.
      ready.catch(() => {});
      try {
        // Never log the token: discord.js's own debug output is not forwarded.
        await client.login(opts.token);
        await ready.catch((err) => {
          throw new Error(`Discord gateway did not become ready: ${errorText(err)}`);
        });
      } catch (err) {
        // Stop the shard's reconnect attempts: a failed start must not leave a client running.
        await client.destroy();
        responder.destroy();
        throw err;
      }
      log.info({ user: client.user?.id, guilds: client.guilds.cache.size }, "discord bot ready");
    },
    async stop() {
      await client.destroy();
      responder.destroy();
    },
    // The gateway's READY, lost while the shard reconnects.
    ready() {
      return client.isReady();
    },
  };
}

/**
 * A deferred reply has no 3 s deadline, so a request may be accepted for this long; past it the
 * request key refuses it (src/redis/requestGate.ts) and the reply that follows says so.
 */
export const DISCORD_ACCEPT_WINDOW_MS = 10_000;

/** The router's view of a slash command: options joined in the spec's order. */
export function invocationFrom(
  interaction: ChatInputCommandInteraction,
  spec: CommandSpec | undefined,
): CommandInvocation {
  const given = interaction.options.data;
  const ordered = spec ? spec.options.map((o) => given.find((g) => g.name === o.name)) : given;
  const text = ordered
    .map((o) => (o?.value === undefined || o.value === null ? "" : String(o.value).trim()))
    .filter(Boolean)
    .join(" ");
  return {
    platform: "discord",
    name: interaction.commandName,
    text,
    requester: {
      platform: "discord",
      userId: interaction.user.id,
      name: interaction.user.globalName ?? interaction.user.username,
    },
    channel: interaction.channelId,
    ...(interaction.guildId ? { guild: interaction.guildId } : {}),
    // The interaction id names this one request: a retry of it finds the first job.
    request: { id: `discord.${interaction.id}`, acceptBy: Date.now() + DISCORD_ACCEPT_WINDOW_MS },
    ...rolesOf(interaction),
  };
}

function rolesOf(interaction: ChatInputCommandInteraction): { roles?: string[] } {
  const roles = memberRoles(interaction.member, interaction.guildId);
  return roles.length ? { roles } : {};
}

/** Role ids of the invoking member: a cached GuildMember, or the raw member of the interaction. */
export function memberRoles(
  member: ChatInputCommandInteraction["member"] | AutocompleteInteraction["member"],
  guildId: string | null,
): string[] {
  if (!member) return [];
  const roles = member.roles;
  const ids = Array.isArray(roles) ? roles : [...roles.cache.keys()];
  // The @everyone role has the guild's id and is held by everyone: it names no one.
  return ids.filter((id) => id !== guildId);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
