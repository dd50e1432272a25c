import type { Content } from './messages';

/** This kernel keeps one session of history, in memory. */
export const HISTORY_SESSION = 1;

export interface HistoryEntry {
  line: number;
  input: string;
  output: string | null;
}

type Row = [number, number, string | [string, string | null]];

export interface History {
  add(line: number, input: string): void;
  setOutput(line: number, output: string): void;
  /** history_reply content for a history_request's content. */
  reply(request: Content): Content;
}

/** Glob as IPython's history search reads it: `*` any text, `?` one character. */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${escaped}$`);
}

export function createHistory(): History {
  const entries: HistoryEntry[] = [];
  const row = (entry: HistoryEntry, output: boolean): Row => [
    HISTORY_SESSION,
    entry.line,
    output ? [entry.input, entry.output] : entry.input,
  ];
  const number = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
  return {
    add(line, input) {
      entries.push({ line, input, output: null });
    },
    setOutput(line, output) {
      const entry = entries.find((e) => e.line === line);
      if (entry) entry.output = output;
    },
    reply(request) {
      const output = request.output === true;
      let selected: HistoryEntry[];
      switch (request.hist_access_type) {
        case 'tail':
          selected = entries.slice(-Math.max(0, number(request.n, 10)));
          break;
        case 'range': {
          const session = number(request.session, 0);
          const start = number(request.start, 0);
          const stop = number(request.stop, Number.POSITIVE_INFINITY);
          selected = session === HISTORY_SESSION || session <= 0 ? entries.filter((e) => e.line >= start && e.line < stop) : [];
          break;
        }
        case 'search': {
          const pattern = globToRegExp(typeof request.pattern === 'string' ? request.pattern : '*');
          let found = entries.filter((e) => pattern.test(e.input));
          if (request.unique === true) {
            const seen = new Set<string>();
            found = found.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input)).reverse();
          }
          selected = typeof request.n === 'number' ? found.slice(-request.n) : found;
          break;
        }
        default:
          selected = [];
      }
      return { status: 'ok', history: selected.map((e) => row(e, output)) };
    },
  };
}
