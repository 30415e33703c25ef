// The `upshift` executable. bin/upshift.js checks the Node version first, then lands here.
import { runSandboxCli } from "../src/sandbox/index.ts";
import { ConfigError } from "../src/errors/configError.ts";
import { RedisServerMissingError } from "../src/redis/embeddedRedis.ts";
import { runCheckCli } from "./check.ts";
import { runDemo } from "./demo.ts";
import { UsageError } from "./usageError.ts";

const USAGE = `usage: upshift <command>
  all        bot and worker in one process (npm start)
  bot        chat adapters: Slack (HTTP or Socket Mode) and Discord; queues jobs
  worker     runs queued jobs against the clusters and posts results
  check      one preflight check from the terminal (no Redis, no chat)
  sandbox    the sandbox Kubernetes API server
  demo       sandbox + embedded Redis + worker + console chat (npm run demo)
  discord register [--guild ID]   register slash commands with Discord`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "check":
      return runCheckCli(rest);
    case "sandbox":
      await runSandboxCli(rest);
      return 0;
    case "demo":
      await runDemo();
      return 0;
    case "all":
    case "bot":
    case "worker": {
      const { runServices } = await import("./services.ts");
      return runServices(command);
    }
    case "discord": {
      const { runDiscordCli } = await import("./discord.ts");
      return runDiscordCli(rest);
    }
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`upshift: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof UsageError) {
      process.stderr.write(`upshift: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof RedisServerMissingError) {
      process.stderr.write(`upshift: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`upshift: ${(err as Error).message ?? String(err)}\n`);
      process.exitCode = 1;
    }
  }
}
