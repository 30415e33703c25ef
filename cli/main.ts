// The `upshift` executable. bin/upshift.js checks the Node version first, then lands here.
// Each command imports its own modules when it runs: `upshift check` must not load the bot, the
// queue, the sandbox and the demo first (that was 2,100 modules and 0.4 s before any request).
import { errorMessage, UpshiftError } from "../src/errors/upshiftError.ts";
import { UsageError } from "./usageError.ts";

const USAGE = `usage: upshift <command>
  all        bot and worker in one process (npm start)
  bot        chat adapters: Slack (HTTP or Socket Mode) and Discord; queues jobs
  worker     runs queued jobs against the clusters and posts results
  check      one preflight check from the terminal (no Redis, no chat)
  verify     after an upgrade: compare the cluster with a baseline from check --save-baseline
  sandbox    the sandbox Kubernetes API server
  demo       sandbox + embedded Redis + worker + console chat (npm run demo)
  discord register [--guild ID]   register slash commands with Discord`;

const SERVICE_USAGE: Record<"all" | "bot" | "worker", string> = {
  all: "usage: upshift all\n  bot and worker in one process; configured by environment variables (see .env.example)",
  bot: "usage: upshift bot\n  chat adapters (Slack, Discord) that queue jobs; configured by environment variables (see .env.example)",
  worker:
    "usage: upshift worker\n  runs queued check, verify, cycle, watch and status jobs; configured by environment variables (see .env.example)",
};

export const DEMO_USAGE =
  "usage: upshift demo\n  sandbox cluster with the five incidents, private redis-server, worker and console chat (npm run demo); Ctrl-C stops it";

const isHelp = (arg: string | undefined) => arg === "--help" || arg === "-h";

/** Commands that take no arguments: --help prints their usage, anything else is a usage error. */
function noArguments(command: string, rest: string[], usage: string): "help" | undefined {
  if (rest.length === 1 && isHelp(rest[0])) return "help";
  if (rest.length > 0) throw new UsageError(`${command}: unexpected argument "${rest[0]}"\n${usage}`);
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const help = (usage: string) => {
    process.stdout.write(`${usage}\n`);
    return 0;
  };
  switch (command) {
    case "check": {
      const { runCheckCli } = await import("./check.ts");
      return runCheckCli(rest);
    }
    case "verify": {
      const { runVerifyCli } = await import("./verify.ts");
      return runVerifyCli(rest);
    }
    case "sandbox": {
      const { runSandboxCli } = await import("./sandbox.ts");
      return runSandboxCli(rest);
    }
    case "demo": {
      if (noArguments("demo", rest, DEMO_USAGE) === "help") return help(DEMO_USAGE);
      const { runDemo } = await import("./demo.ts");
      await runDemo();
      return 0;
    }
    case "all":
    case "bot":
    case "worker": {
      if (noArguments(command, rest, SERVICE_USAGE[command]) === "help") return help(SERVICE_USAGE[command]);
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
    // Usage, bad target and config errors say exit 2 themselves (UpshiftError.exitCode); anything else is 1.
    process.stderr.write(`upshift: ${errorMessage(err)}\n`);
    process.exitCode = err instanceof UpshiftError ? (err.exitCode ?? 1) : 1;
  }
}
