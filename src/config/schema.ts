// Upshift's configuration: environment variables for secrets and wiring, an optional
// upshift.yaml (path in UPSHIFT_CONFIG) for policy. Both are validated here with zod so a bad
// value is refused at start with its name and what was expected, never discovered mid-upgrade.
import { z } from "zod";
import { CLUSTER_PREFIX_PROBLEM, parseRedisUrl, prefixHashTag, RedisUrlError } from "../redis/redisUrl.ts";

const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h)$/, 'expected a duration such as "30m", "90s" or "2h"')
  .transform((s) => {
    const m = /^(\d+)(ms|s|m|h)$/.exec(s)!;
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
    return Number(m[1]) * unit;
  });

const slackId = z.string().regex(/^[A-Z0-9]+$/, "expected a Slack id such as U012AB3CD or S0614TZR7");
const snowflake = z.string().regex(/^\d{5,25}$/, "expected a Discord id (snowflake, digits only)");

export const approvalsSchema = z.strictObject({
  required: z.number().int().min(1).max(20).default(1),
  allowSelfApproval: z.boolean().default(false),
  expiresAfter: duration.default(30 * 60_000),
  approvers: z
    .strictObject({
      slackUsers: z.array(slackId).default([]),
      slackGroups: z.array(slackId).default([]),
      discordUsers: z.array(snowflake).default([]),
      discordRoles: z.array(snowflake).default([]),
      /** User names in the demo's console chat (`npm run demo`); no other platform reads them. */
      consoleUsers: z.array(z.string().min(1)).default([]),
    })
    .default({ slackUsers: [], slackGroups: [], discordUsers: [], discordRoles: [], consoleUsers: [] }),
});
export type ApprovalsConfig = z.output<typeof approvalsSchema>;

export const ignoreRuleSchema = z.strictObject({
  check: z.string().regex(/^[A-Z]+-\d{2}$/, 'expected a check id such as "HELM-01"'),
  namespace: z.string().optional(),
  name: z.string().optional(),
  reason: z.string().optional(),
});
export type IgnoreRule = z.output<typeof ignoreRuleSchema>;

export const addonSchema = z.strictObject({
  name: z.string().min(1),
  driver: z.enum(["microk8s", "manifests"]),
  namespace: z.string().optional(),
  version: z.string().optional(),
  /** File path, directory or URL-less inline YAML source of the add-on's manifests (manifests driver). */
  manifests: z.string().optional(),
  /** Kinds of objects holding data that disabling must keep (PVCs, PVs, Secrets by default). */
  dataKinds: z.array(z.string()).optional(),
  /** Category used for ordering: cni, dns, ingress, storage, other. */
  category: z.enum(["cni", "dns", "ingress", "storage", "other"]).optional(),
  stepTimeout: duration.optional(),
});
export type AddonConfig = z.output<typeof addonSchema>;

/** Per-cluster overrides: no defaults here, or they would overwrite the global settings. */
export const approvalsOverrideSchema = z.strictObject({
  required: z.number().int().min(1).max(20).optional(),
  allowSelfApproval: z.boolean().optional(),
  expiresAfter: duration.optional(),
  approvers: z
    .strictObject({
      slackUsers: z.array(slackId).optional(),
      slackGroups: z.array(slackId).optional(),
      discordUsers: z.array(snowflake).optional(),
      discordRoles: z.array(snowflake).optional(),
      consoleUsers: z.array(z.string().min(1)).optional(),
    })
    .optional(),
});

export const clusterSettingsSchema = z.strictObject({
  approvals: approvalsOverrideSchema.optional(),
  ignore: z.array(ignoreRuleSchema).default([]),
  /** Channel for alerts about this cluster when a command did not name one (watches started by cycles). */
  alertChannel: z.string().optional(),
});

/**
 * The commands an access rule may name. Kept here (src/ may not import commands/); a test keeps
 * it equal to the registered command specs.
 */
export const ACCESS_COMMANDS = [
  "upgrade-check",
  "upgrade-status",
  "upgrade-watch",
  "upgrade-cycle",
  "upgrade-cycle-status",
  "upgrade-cycle-abort",
] as const;
export type AccessCommand = (typeof ACCESS_COMMANDS)[number];

const consoleName = z.string().min(1, "expected a non-empty name");

/**
 * One access rule: in these channels, these clusters (kubeconfig contexts) may be named, by these
 * commands (absent: every command), by these people (absent: anyone in the channels). Rules only
 * add: what no rule allows is refused.
 */
export const accessRuleSchema = z
  .strictObject({
    channels: z.strictObject({
      slack: z.array(slackId).default([]),
      discord: z.array(snowflake).default([]),
      /** Channel names of the demo's console chat (`npm run demo`); no other platform reads them. */
      console: z.array(consoleName).default([]),
    }),
    clusters: z.array(z.string().min(1, "expected a kubeconfig context name")).min(1, "expected at least one cluster"),
    commands: z
      .array(
        z
          .string()
          .transform((s) => s.replace(/^\//, ""))
          .pipe(z.enum(ACCESS_COMMANDS, { error: `expected one of ${ACCESS_COMMANDS.join(", ")}` })),
      )
      .min(1, "expected at least one command; leave commands out to allow every command")
      .optional(),
    users: z
      .strictObject({
        slackUsers: z.array(slackId).default([]),
        slackGroups: z.array(slackId).default([]),
        discordUsers: z.array(snowflake).default([]),
        discordRoles: z.array(snowflake).default([]),
        consoleUsers: z.array(consoleName).default([]),
      })
      .optional(),
  })
  .superRefine((rule, ctx) => {
    const c = rule.channels;
    if (c.slack.length + c.discord.length + c.console.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["channels"],
        message: "expected at least one channel id (slack, discord)",
      });
    const u = rule.users;
    if (u && Object.values(u).every((list) => list.length === 0))
      ctx.addIssue({
        code: "custom",
        path: ["users"],
        message: "names nobody, so the rule would allow no one; leave users out to allow anyone in the channels",
      });
  });
export type AccessRule = z.output<typeof accessRuleSchema>;

export const accessSchema = z.strictObject({
  rules: z.array(accessRuleSchema),
});
export type AccessConfig = z.output<typeof accessSchema>;

export const fileConfigSchema = z.strictObject({
  approvals: approvalsSchema.default(approvalsSchema.parse({})),
  clusters: z.record(z.string(), clusterSettingsSchema).default({}),
  ignore: z.array(ignoreRuleSchema).default([]),
  addons: z.array(addonSchema).default([]),
  cycleOrder: z
    .array(z.enum(["cni", "dns", "ingress", "storage", "other"]))
    .default(["cni", "dns", "ingress", "storage", "other"]),
  /** Who may do what from where. Absent: every channel may use every cluster (a warning at start). */
  access: accessSchema.optional(),
});
export type FileConfig = z.output<typeof fileConfigSchema>;

const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === "" ? undefined : s));
const url = (what: string) =>
  optionalString.refine((s) => s === undefined || URL.canParse(s), `expected an absolute URL (${what})`);

export const envSchema = z.object({
  /** One server, a Sentinel-managed master or Redis Cluster: the grammar is in src/redis/redisUrl.ts. */
  REDIS_URL: z
    .string()
    .default("redis://127.0.0.1:6379")
    .superRefine((s, ctx) => {
      const problem = redisUrlProblem(s);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  KUBECONFIG: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  UPSHIFT_CONFIG: optionalString,
  UPSHIFT_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9{}_-]+$/, 'expected letters, digits, "-", "_" and braces for a Redis Cluster hash tag')
    .default("upshift"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * The narrow Secrets mode: namespaces whose Helm release Secrets Upshift may read, granted by
   * RoleBindings there (deploy/kubernetes/components/helm-namespaces; a chart's value renders
   * both from one list). Unset: the cluster-wide default. Applies to every kubeconfig context.
   */
  UPSHIFT_HELM_NAMESPACES: optionalString
    .transform((s) =>
      s === undefined
        ? undefined
        : s
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z
            .string()
            .regex(
              /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
              "expected namespace names (lowercase letters, digits and '-', at most 63), comma-separated",
            ),
        )
        .min(1, "expected at least one namespace name, comma-separated (or leave it unset for cluster-wide)")
        .optional(),
    ),
  /** One check, every attempt together: past it the thread says which call to the cluster hung. */
  UPSHIFT_CHECK_DEADLINE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  /** The kubeconfig context of the MicroK8s cluster this worker runs on (enables the microk8s driver). */
  MICROK8S_CONTEXT: optionalString,
  MICROK8S_BIN: z.string().default("microk8s"),
  /** Where add-on backups are written (they are also kept in Redis). */
  UPSHIFT_BACKUP_DIR: optionalString,
  /** Where links to the check catalogue point (alerts), e.g. your fork's docs/checks.md URL. */
  UPSHIFT_DOCS_URL: url("the docs/checks.md page, e.g. https://github.com/acme/upshift/blob/main/docs/checks.md"),
  ADMIN_TOKEN: optionalString.refine((s) => s === undefined || s.length >= 16, "expected at least 16 characters"),
  SLACK_BOT_TOKEN: optionalString.refine(
    (s) => s === undefined || s.startsWith("xoxb-"),
    'expected a bot token starting with "xoxb-"',
  ),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.refine(
    (s) => s === undefined || s.startsWith("xapp-"),
    'expected an app-level token starting with "xapp-"',
  ),
  SLACK_API_URL: url("Slack Web API base, e.g. https://slack.com/api/"),
  DISCORD_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString.refine(
    (s) => s === undefined || /^\d{5,25}$/.test(s),
    "expected a Discord application id (digits)",
  ),
  DISCORD_API_URL: url("Discord REST base, e.g. https://discord.com/api"),
  DISCORD_GUILD_IDS: optionalString.transform((s) =>
    s
      ? s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean)
      : [],
  ),
});

/**
 * Rules between variables. Run on the raw environment, apart from the schema, so they are
 * reported together with every other problem instead of only once the rest is valid.
 */
export function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const set = (k: string) => typeof env[k] === "string" && env[k] !== "";
  const problems: string[] = [];
  if (set("SLACK_BOT_TOKEN") && !set("SLACK_SIGNING_SECRET") && !set("SLACK_APP_TOKEN")) {
    problems.push(
      "SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN over HTTP (every request's signature is verified); or set SLACK_APP_TOKEN for Socket Mode",
    );
  }
  if ((set("SLACK_SIGNING_SECRET") || set("SLACK_APP_TOKEN")) && !set("SLACK_BOT_TOKEN")) {
    problems.push("SLACK_BOT_TOKEN: required when Slack is configured (xoxb-...)");
  }
  // Every Upshift key starts with the prefix; only a hash tag in it puts them all in one slot.
  if (
    set("REDIS_URL") &&
    redisUrlProblem(env.REDIS_URL!) === undefined &&
    parseRedisUrl(env.REDIS_URL!).kind === "cluster"
  ) {
    if (prefixHashTag(env.UPSHIFT_QUEUE_PREFIX || "upshift") === undefined) problems.push(CLUSTER_PREFIX_PROBLEM);
  }
  if (set("DISCORD_TOKEN") && !set("DISCORD_APPLICATION_ID"))
    problems.push("DISCORD_APPLICATION_ID: required with DISCORD_TOKEN");
  for (const id of (env.DISCORD_GUILD_IDS ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean)) {
    if (!/^\d{5,25}$/.test(id)) problems.push(`DISCORD_GUILD_IDS: "${id}" is not a guild id (digits, comma-separated)`);
  }
  return problems;
}

function redisUrlProblem(url: string): string | undefined {
  try {
    parseRedisUrl(url);
    return undefined;
  } catch (err) {
    if (err instanceof RedisUrlError) return err.message;
    throw err;
  }
}

export type EnvConfig = z.output<typeof envSchema>;

export interface UpshiftConfig {
  env: EnvConfig;
  file: FileConfig;
}
