// Every external call has a timeout; this is the one way to put one on a promise that takes no
// AbortSignal. The timer is cleared as soon as either side settles, so nothing keeps the process
// alive or fires late. The call itself is not cancelled (a promise cannot be): its late result
// is ignored.
import { TimeoutError } from "../errors/timeoutError.ts";

/** `promise`, or a TimeoutError with `message` if it has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message, ms)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
