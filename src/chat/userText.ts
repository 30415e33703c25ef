// User text is data, never markup. Wherever Upshift echoes something a user typed (an unknown
// context, a bad flag, a command name), it wraps it with userText(): the text is cut to a bounded
// length and marked, and each platform's renderer (adapters/) escapes the marked spans for its
// markup while converting the rest as usual. src/ stays platform-free: it only marks.
//
// The marks are two private-use code points, which no keyboard produces and every renderer
// removes; a user who types them has them stripped before wrapping, so no one can forge or close
// a span.

/** Longest echo of user text, "…" included: a 1 MB command must not produce a 1 MB reply. */
export const USER_TEXT_MAX_CHARS = 200;

const OPEN = "\uE000";
const CLOSE = "\uE001";
const MARKS = /[\uE000\uE001]/g;
/** Every private-use code point this module gives a meaning to. */
const ALL_MARKS = /[\uE000-\uE003]/g;
const HOLE_MARKS = /[\uE002\uE003]/g;
const SPAN = /\uE000([^\uE000\uE001]*)\uE001/g;
// Placeholders during conversion: private-use too, so no markup rule matches them.
const HOLE = /\uE002(\d+)\uE003/g;

/** Cuts text to `max` characters (the last one "…"), never inside a surrogate pair. */
export function bounded(text: string, max = USER_TEXT_MAX_CHARS): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Marks `text` as typed by a user, bounded and on one line (an echo sits inside a sentence, where
 * a line break could start a quote or a heading): the platform renders it as literal text.
 */
export function userText(text: string, max = USER_TEXT_MAX_CHARS): string {
  return `${OPEN}${bounded(text.replace(ALL_MARKS, "").replace(/[\r\n\u2028\u2029]+/g, " "), max)}${CLOSE}`;
}

/**
 * Renders a message: `convert` turns Upshift's neutral markup into the platform's, while every
 * marked span goes through `escape` instead and is put back after conversion, so no markup rule
 * ever sees user text. Stray marks are dropped.
 */
export function renderUserText(
  text: string,
  convert: (markup: string) => string,
  escapeUser: (user: string) => string,
): string {
  const spans: string[] = [];
  const withHoles = text
    .replace(HOLE_MARKS, "")
    .replace(SPAN, (_, inner: string) => `\uE002${spans.push(inner) - 1}\uE003`)
    .replace(MARKS, "");
  return convert(withHoles).replace(HOLE, (_, i: string) => escapeUser(spans[Number(i)] ?? ""));
}

/** The text with its user spans as they are (plain-text surfaces: the console, thread names). */
export function plainUserText(text: string): string {
  return text.replace(SPAN, "$1").replace(ALL_MARKS, "");
}
