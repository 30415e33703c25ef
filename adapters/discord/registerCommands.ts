// Registers Upshift's slash commands with Discord from the router's CommandSpecs: a bulk PUT that
// replaces the application's commands. Guild scope applies at once (quick setup); global scope
// is for production. Specs are validated first so a bad one fails here with its name, not as a
// 400 from Discord.
import { REST } from "@discordjs/rest";
import { ApplicationCommandOptionType, ApplicationCommandType, Routes } from "discord.js";
import type { CommandSpec } from "../../commands/types.ts";
import { discordRestAgent } from "./restAgent.ts";

export interface RegisterDiscordCommandsOptions {
  token: string;
  applicationId: string;
  apiUrl?: string;
  /** Register in one guild (instant); without it, globally. */
  guildId?: string;
  specs: CommandSpec[];
  timeoutMs?: number;
}

export interface DiscordCommandJSON {
  name: string;
  description: string;
  type: number;
  options: Array<{ type: number; name: string; description: string; required: boolean; autocomplete?: boolean }>;
}

const NAME = /^[-_\p{Ll}\p{N}]{1,32}$/u;

/** Discord's JSON for one spec: string options in order, autocomplete on the contexts option. */
export function toDiscordCommand(spec: CommandSpec): DiscordCommandJSON {
  const where = `command "${spec.name}"`;
  if (!NAME.test(spec.name)) throw new Error(`${where}: name must be 1-32 lowercase letters, digits, "-" or "_"`);
  if (spec.options.length > 25) throw new Error(`${where}: at most 25 options, got ${spec.options.length}`);
  let optionalSeen = false;
  const options = spec.options.map((o) => {
    if (!NAME.test(o.name))
      throw new Error(`${where}, option "${o.name}": name must be 1-32 lowercase letters, digits, "-" or "_"`);
    // Discord rejects a required option after an optional one.
    if (o.required && optionalSeen)
      throw new Error(`${where}, option "${o.name}": required options must come before optional ones`);
    if (!o.required) optionalSeen = true;
    return {
      type: ApplicationCommandOptionType.String as number,
      name: o.name,
      description: clip(o.description || o.name, 100),
      required: Boolean(o.required),
      ...(o.autocomplete === "contexts" ? { autocomplete: true } : {}),
    };
  });
  return {
    name: spec.name,
    description: clip(spec.description || spec.name, 100),
    type: ApplicationCommandType.ChatInput,
    options,
  };
}

export async function registerDiscordCommands(
  opts: RegisterDiscordCommandsOptions,
): Promise<{ scope: "guild" | "global"; count: number }> {
  if (!opts.token) throw new Error("registerDiscordCommands: token is required (DISCORD_TOKEN)");
  if (!/^\d{5,25}$/.test(opts.applicationId))
    throw new Error("registerDiscordCommands: applicationId must be a Discord id (digits)");
  if (opts.guildId !== undefined && !/^\d{5,25}$/.test(opts.guildId))
    throw new Error("registerDiscordCommands: guildId must be a Discord id (digits)");
  const body = opts.specs.map(toDiscordCommand);
  const names = new Set<string>();
  for (const c of body) {
    if (names.has(c.name)) throw new Error(`registerDiscordCommands: command "${c.name}" appears twice`);
    names.add(c.name);
  }
  const rest = new REST({
    version: "10",
    timeout: opts.timeoutMs ?? 15_000,
    agent: discordRestAgent,
    ...(opts.apiUrl ? { api: opts.apiUrl } : {}),
  }).setToken(opts.token);
  const route = opts.guildId
    ? Routes.applicationGuildCommands(opts.applicationId, opts.guildId)
    : Routes.applicationCommands(opts.applicationId);
  const registered = (await rest.put(route, { body })) as unknown[];
  return { scope: opts.guildId ? "guild" : "global", count: registered.length };
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
