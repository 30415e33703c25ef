// Shared test pieces: a recording ChatPoster (a fake of the chat platform only) and small
// builders for the objects the scenarios change over time.
import { appendFileSync } from "node:fs";
import { slackTraits } from "../../adapters/slack/slackTraits.ts";
import type { ChatMessage, ChatPoster, PostedMessage } from "../../src/chat/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

export interface RecordedPost {
  kind: "root" | "thread" | "update";
  channel: string;
  thread?: string;
  id: string;
  text: string;
  /** Which worker posted (child-process workers tag their posts with their pid). */
  by?: string;
}

export class RecordingPoster implements ChatPoster {
  readonly platform = "slack" as const;
  readonly traits = slackTraits;
  readonly posts: RecordedPost[] = [];
  private n = 0;
  private readonly file?: string;
  private readonly idPrefix: string;
  private readonly by?: string;

  /** With `file`, every post is also appended as a JSON line (child-process workers), tagged `by`. */
  constructor(file?: string, idPrefix = "m", by?: string) {
    this.file = file;
    this.idPrefix = idPrefix;
    this.by = by;
  }

  private record(post: RecordedPost): void {
    const p = this.by ? { ...post, by: this.by } : post;
    this.posts.push(p);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(p)}\n`);
  }

  async postRoot(channel: string, message: ChatMessage): Promise<PostedMessage> {
    if (this.hangOn && message.text.includes(this.hangOn)) await new Promise(() => undefined);
    const id = `${this.idPrefix}${++this.n}`;
    this.record({ kind: "root", channel, id, text: message.text });
    return { id, thread: id };
  }

  /** Text that makes a post hang forever (a chat API that never answers), for crash tests. */
  hangOn?: string;

  async postInThread(address: { channel: string; thread: string }, message: ChatMessage): Promise<string> {
    if (this.hangOn && message.text.includes(this.hangOn)) await new Promise(() => undefined);
    const id = `${this.idPrefix}${++this.n}`;
    this.record({ kind: "thread", channel: address.channel, thread: address.thread, id, text: message.text });
    return id;
  }

  async update(channel: string, messageId: string, message: ChatMessage): Promise<void> {
    this.record({ kind: "update", channel, id: messageId, text: message.text });
  }
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | 0, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function node(name: string, ready: boolean): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name },
    status: {
      nodeInfo: { kubeletVersion: "v1.31.4" },
      conditions: [
        {
          type: "Ready",
          status: ready ? "True" : "Unknown",
          reason: ready ? "KubeletReady" : "NodeStatusUnknown",
          message: ready ? "kubelet is posting ready status" : "Kubelet stopped posting node status.",
        },
      ],
    },
  };
}

export function pod(name: string, opts: { crash?: boolean; restarts?: number; namespace?: string } = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: opts.namespace ?? "apps", labels: { app: "web" } },
    spec: { containers: [{ name: "app", image: "web:2.0.0" }] },
    status: {
      phase: "Running",
      containerStatuses: [
        {
          name: "app",
          ready: !opts.crash,
          restartCount: opts.restarts ?? 0,
          state: opts.crash
            ? { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=app" } }
            : { running: { startedAt: "2026-01-01T00:00:00Z" } },
          lastState: opts.crash ? { terminated: { reason: "Error", exitCode: 1 } } : {},
        },
      ],
    },
  };
}

export function livenessEvent(name: string, podName: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: "apps" },
    involvedObject: { apiVersion: "v1", kind: "Pod", namespace: "apps", name: podName },
    reason: "Unhealthy",
    type: "Warning",
    count: 3,
    message:
      'Liveness probe failed: Get "http://10.0.0.7:8080/healthz": dial tcp 10.0.0.7:8080: connect: connection refused',
  };
}

export function configMap(name: string, n: number): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "apps" }, data: { n: String(n) } };
}
