// Posting from a job so that a post is made once however often the job is retried or taken
// over: shared by every processor that opens a thread (checks, fleets, add-on cycles).
import { type Job, UnrecoverableError } from "bullmq";
import type { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { ChatMessage, ChatPoster, PostedMessage, ReplyAddress } from "../src/chat/types.ts";

/** The post a job is sending: written before the post, cleared by the progress write after it. */
export interface InFlightPost {
  /** The post's idempotency key ("<job id>:root", "<job id>:reply:3", ...). */
  key: string;
  /** Epoch ms just before the post was sent, to narrow the platform's search for it. */
  at: number;
}

/** What any job that posts with keys keeps in its data besides its own progress. */
export interface PostProgress {
  inFlight?: InFlightPost;
}

/**
 * The poster of the platform the job answers on. A worker without that platform can never run
 * the job, so it fails for good instead of spending its retries.
 */
export function posterFor(posters: PosterRegistry, reply: Pick<ReplyAddress, "platform">): ChatPoster {
  const poster = posters.get(reply.platform);
  if (!poster) throw new UnrecoverableError(`no chat platform "${reply.platform}" is configured on this worker`);
  return poster;
}

export function threadOf(reply: ReplyAddress): { channel: string; thread: string } {
  if (!reply.thread) throw new Error("the root message was not posted");
  return { channel: reply.channel, thread: reply.thread };
}

/**
 * Posts the job's root message once (or edits it if the job already has one). `key` names the
 * post; it must be the same on every attempt of the job ("<job id>:root").
 */
export async function ensureRoot<T extends { reply: ReplyAddress }>(
  job: Job<T>,
  poster: ChatPoster,
  message: ChatMessage,
  key: string,
): Promise<void> {
  const reply = job.data.reply;
  if (reply.rootMessage) {
    await poster.update(reply.channel, reply.rootMessage, message);
    return;
  }
  const { posted, earlier } = await postOnce(job, poster, { channel: reply.channel }, key, () =>
    poster.postRoot(reply.channel, message, { key }),
  );
  // The root and the cleared marker in one write, as for replies.
  await job.updateData({
    ...job.data,
    inFlight: undefined,
    reply: { ...reply, rootMessage: posted.id, thread: posted.thread },
  });
  // A root an earlier attempt posted still shows that attempt's headline.
  if (earlier) await poster.update(reply.channel, posted.id, message);
}

/**
 * Sends the post named `key` at most once however often the job is retried. A worker can die
 * after a post and before the progress write that records it; so the key is first written into
 * the job as in flight (before the post: a worker that dies during the post leaves it behind),
 * and a later attempt that finds its own key there asks the platform whether the post exists
 * (findPosted) and adopts it. A platform without findPosted (Discord) gets the post again with
 * the same key and answers with the message that key already created. The caller clears the
 * marker in the same updateData that records its progress.
 *
 * `earlier` says the message may be one an earlier attempt posted (its text may be older).
 */
export async function postOnce<T extends object>(
  job: Job<T>,
  poster: ChatPoster,
  where: { channel: string; thread?: string },
  key: string,
  post: () => Promise<PostedMessage>,
): Promise<{ posted: PostedMessage; earlier: boolean }> {
  const inFlight = (job.data as PostProgress).inFlight;
  const retried = inFlight?.key === key;
  if (retried && poster.findPosted) {
    const found = await poster.findPosted(where.channel, where.thread, key, { since: inFlight.at });
    if (found) return { posted: found, earlier: true };
  }
  await job.updateData({ ...job.data, inFlight: { key, at: Date.now() } satisfies InFlightPost });
  const posted = await post();
  // Searched and not found: this post is the first. Not searched: the platform may have returned the earlier one.
  return { posted, earlier: retried && !poster.findPosted };
}
