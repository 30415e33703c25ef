// `upshift discord register [--guild ID]`: puts Upshift's slash commands on Discord. Guild
// registration applies at once (setup and testing); global registration is for production.
import { parseArgs } from "node:util";
import { registerDiscordCommands } from "../adapters/discord/index.ts";
import { commandSpecs } from "../commands/index.ts";
import { loadConfig } from "../src/config/load.ts";
import { ConfigError } from "../src/errors/configError.ts";
import { UsageError } from "./usageError.ts";

const USAGE = "usage: upshift discord register [--guild GUILD_ID]";

export async function runDiscordCli(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "--help" || sub === "-h" || (sub === "register" && (rest[0] === "--help" || rest[0] === "-h"))) {
    out.write(`${USAGE}\n`);
    return 0;
  }
  if (sub !== "register") throw new UsageError(`unknown discord command "${sub ?? ""}"\n${USAGE}`);
  let guild: string | undefined;
  try {
    ({
      values: { guild },
    } = parseArgs({ args: rest, options: { guild: { type: "string" } }, strict: true }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  if (guild !== undefined && !/^\d{5,25}$/.test(guild))
    throw new UsageError(`--guild: expected a guild id (digits), got "${guild}"`);
  const { env } = loadConfig();
  if (!env.DISCORD_TOKEN || !env.DISCORD_APPLICATION_ID) {
    throw new ConfigError(["DISCORD_TOKEN and DISCORD_APPLICATION_ID: both are required to register commands"]);
  }
  const result = await registerDiscordCommands({
    token: env.DISCORD_TOKEN,
    applicationId: env.DISCORD_APPLICATION_ID,
    apiUrl: env.DISCORD_API_URL,
    guildId: guild,
    specs: commandSpecs(),
  });
  out.write(
    `registered ${result.count} commands ${result.scope === "guild" ? `in guild ${guild}` : "globally (may take up to an hour to appear)"}\n`,
  );
  return 0;
}
