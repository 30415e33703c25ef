import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../errors/configError.ts";
import { errorMessage } from "../errors/upshiftError.ts";
import {
  type ApprovalsConfig,
  crossFieldProblems,
  envSchema,
  type FileConfig,
  fileConfigSchema,
  type IgnoreRule,
  type UpshiftConfig,
} from "./schema.ts";

function problemsOf(error: z.ZodError, prefix: (path: string) => string): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return `${prefix(path)}: ${issue.message}`;
  });
}

/** Validates the environment and the optional upshift.yaml; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): UpshiftConfig {
  const problems: string[] = [];
  const envResult = envSchema.safeParse(env);
  if (!envResult.success) problems.push(...problemsOf(envResult.error, (p) => p || "environment"));
  problems.push(...crossFieldProblems(env));

  let file: FileConfig = fileConfigSchema.parse({});
  const path = env.UPSHIFT_CONFIG;
  if (path) {
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(path, "utf8")) ?? {};
    } catch (err) {
      problems.push(`UPSHIFT_CONFIG (${path}): cannot read it as YAML: ${errorMessage(err)}`);
    }
    if (raw !== undefined) {
      const fileResult = fileConfigSchema.safeParse(raw);
      if (fileResult.success) file = fileResult.data;
      else problems.push(...problemsOf(fileResult.error, (p) => `${path}: ${p || "(top level)"}`));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { env: envResult.data!, file };
}

/** Cluster-level approval settings win over the global ones, field by field. */
export function approvalsFor(file: FileConfig, cluster: string): ApprovalsConfig {
  const override = file.clusters[cluster]?.approvals ?? {};
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const { approvers, ...rest } = override;
  return {
    ...file.approvals,
    ...defined(rest),
    approvers: { ...file.approvals.approvers, ...defined(approvers ?? {}) },
  };
}

export function ignoreRulesFor(file: FileConfig, cluster: string): IgnoreRule[] {
  return [...file.ignore, ...(file.clusters[cluster]?.ignore ?? [])];
}
