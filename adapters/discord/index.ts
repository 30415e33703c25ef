// Public face of the Discord adapter, for cli/ wiring.
export {
  createDiscordBot,
  type DiscordBot,
  type DiscordBotOptions,
  type DiscordReactionEvent,
  invocationFrom,
} from "./discordBot.ts";
export { DiscordPoster, type DiscordPosterOptions } from "./discordPoster.ts";
export { DISCORD_MAX_CHARS, splitMessage, toDiscordMarkdown } from "./format.ts";
export { type RegisterDiscordCommandsOptions, registerDiscordCommands, toDiscordCommand } from "./registerCommands.ts";
