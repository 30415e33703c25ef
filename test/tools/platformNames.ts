// Finds what in a TypeScript source names a chat platform, for test/chat/platformSeam.test.ts:
// a platform's name as a string, a platform's markup in any literal, or an identifier named for a
// platform. Comments are dropped first: they may talk about the product.

/** The upshift.yaml and environment format: its keys are named for the platforms a user configures. */
export const CONFIG_FORMAT = "src/config/schema.ts";

const PLATFORM_NAMES = new Set(["slack", "discord", "console"]);
const MARKUP = /<[@#!]/;
// Identifiers only: `console.log` is the global console, `consoleUsers` is a platform's.
const PLATFORM_IDENTIFIER = /\b(?:(?:slack|discord)\w*|console(?=[A-Z_0-9])\w*)/gi;

interface Lexed {
  /** The source without comments and literals (each literal left as a space). */
  code: string;
  /** Every string, template text part and regular expression, as written between its delimiters. */
  literals: string[];
}

// Where a "/" starts a regular expression rather than a division: after an operator or opening
// bracket, or a keyword that takes an expression.
const BEFORE_REGEX = /(?:^|[(,=:[!&|?{};+\-*%<>~^]|\b(?:return|typeof|case|in|of|void|throw|else|do|await|yield))\s*$/;

/** A small TypeScript lexer: enough to tell comments, strings, templates and regexes from code. */
function lex(src: string): Lexed {
  const literals: string[] = [];
  let code = "";
  let i = 0;

  const readQuoted = (quote: string): string => {
    let out = "";
    i++;
    while (i < src.length && src[i] !== quote) {
      if (src[i] === "\\") {
        out += src.slice(i, i + 2);
        i += 2;
        continue;
      }
      out += src[i++];
    }
    i++;
    return out;
  };

  const readTemplate = (): void => {
    let text = "";
    i++;
    while (i < src.length && src[i] !== "`") {
      if (src[i] === "\\") {
        text += src.slice(i, i + 2);
        i += 2;
      } else if (src[i] === "$" && src[i + 1] === "{") {
        literals.push(text);
        text = "";
        i += 2;
        code += " ";
        readCode("}");
        i++;
      } else text += src[i++];
    }
    literals.push(text);
    i++;
  };

  const readRegex = (): string => {
    let out = "";
    let inClass = false;
    i++;
    while (i < src.length && (inClass || src[i] !== "/") && src[i] !== "\n") {
      if (src[i] === "\\") {
        out += src.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (src[i] === "[") inClass = true;
      else if (src[i] === "]") inClass = false;
      out += src[i++];
    }
    i++;
    while (/[a-z]/i.test(src[i] ?? "")) i++;
    return out;
  };

  /** Reads code until `end` (a closing brace of a template's `${`) at depth 0, or the end. */
  function readCode(end?: string): void {
    let depth = 0;
    while (i < src.length) {
      const c = src[i];
      const next = src[i + 1];
      if (end && c === end && depth === 0) return;
      if (c === "/" && next === "/") {
        while (i < src.length && src[i] !== "\n") i++;
      } else if (c === "/" && next === "*") {
        const close = src.indexOf("*/", i + 2);
        i = close < 0 ? src.length : close + 2;
        code += " ";
      } else if (c === '"' || c === "'") {
        literals.push(readQuoted(c));
        code += " ";
      } else if (c === "`") {
        readTemplate();
        code += " ";
      } else if (c === "/" && BEFORE_REGEX.test(code)) {
        literals.push(readRegex());
        code += " ";
      } else {
        if (c === "{") depth++;
        else if (c === "}") depth--;
        code += c;
        i++;
      }
    }
  }

  readCode();
  return { code, literals };
}

/** What in one file names a platform, as "kind: text" lines. */
export function platformNamesIn(source: string, path: string): string[] {
  const { code, literals } = lex(source);
  const found: string[] = [];
  for (const l of literals) {
    if (PLATFORM_NAMES.has(l.toLowerCase())) found.push(`platform name: "${l}"`);
    if (MARKUP.test(l)) found.push(`platform markup: ${JSON.stringify(l)}`);
  }
  if (path !== CONFIG_FORMAT)
    for (const m of code.matchAll(PLATFORM_IDENTIFIER)) found.push(`platform identifier: ${m[0]}`);
  return found;
}
