/**
 * The shell commands a Markdown document shows: every command line of its ```sh, ```bash, ```shell
 * and ```console blocks, so that a test can hold each one to a test that runs it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths';

/** Fenced-block languages whose lines are commands (console: only the lines after a `$ ` prompt). */
const SCRIPT_LANGUAGES = new Set(['sh', 'bash', 'shell']);
const CONSOLE_LANGUAGES = new Set(['console']);

export interface ShownCommand {
  /** The command as one line: continuation lines joined, the trailing comment and extra spaces removed. */
  readonly command: string;
  /** 1-based line of the document where the command starts. */
  readonly line: number;
}

/** Cuts a trailing `# comment` (a `#` at the start of a word, outside quotes) and trims the line. */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '\\') {
      i++;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return line.slice(0, i).trim();
    }
  }
  return line.trim();
}

function normalise(command: string): string {
  return command.replace(/\s+/g, ' ').trim();
}

/** Every command shown in the document's shell blocks, in order. */
export function extractCommands(markdown: string): ShownCommand[] {
  const lines = markdown.split('\n');
  const commands: ShownCommand[] = [];
  let fence: { marker: string; language: string } | undefined;
  let pending: { text: string; line: number } | undefined;
  const finish = () => {
    if (pending && normalise(pending.text) !== '') commands.push({ command: normalise(pending.text), line: pending.line });
    pending = undefined;
  };
  lines.forEach((raw, index) => {
    const opening = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(raw);
    if (!fence) {
      if (opening) fence = { marker: opening[1]!, language: opening[2]!.toLowerCase() };
      return;
    }
    if (raw.trim().startsWith(fence.marker) && raw.trim().replace(/[`~]/g, '') === '') {
      finish();
      fence = undefined;
      return;
    }
    const script = SCRIPT_LANGUAGES.has(fence.language);
    if (!script && !CONSOLE_LANGUAGES.has(fence.language)) return;
    let text: string;
    if (pending) {
      text = stripComment(raw);
    } else if (script) {
      text = stripComment(raw);
    } else {
      const prompt = /^\s*\$ (.*)$/.exec(raw);
      if (!prompt) return;
      text = stripComment(prompt[1]!);
    }
    const continues = text.endsWith('\\');
    if (continues) text = text.slice(0, -1);
    if (pending) pending.text += ` ${text}`;
    else pending = { text, line: index + 1 };
    if (!continues) finish();
  });
  if (fence) throw new Error(`unclosed ${fence.marker}${fence.language} block`);
  return commands;
}

export const README = join(projectRoot(), 'README.md');
export const DOCS = join(projectRoot(), 'docs');

export function readmeText(): string {
  return readFileSync(README, 'utf8');
}

/** The text of `docs/<file>`. */
export function docText(file: string): string {
  return readFileSync(join(DOCS, file), 'utf8');
}

/** README.md and every page of docs/, by path from the project root. */
export function documents(): { path: string; text: string }[] {
  const pages = readdirSync(DOCS).filter((file) => file.endsWith('.md')).sort();
  return [{ path: 'README.md', text: readmeText() }, ...pages.map((file) => ({ path: `docs/${file}`, text: docText(file) }))];
}

/** The commands of the README and docs/, each once, in order of first appearance. */
export function documentedCommands(): string[] {
  return [...new Set(documents().flatMap((d) => extractCommands(d.text).map((c) => c.command)))];
}

/** `command` as the README or a page of docs/ shows it; fails when none shows it any more, so a test runs what users read. */
export function documentedCommand(command: string): string {
  if (!documentedCommands().includes(command)) throw new Error(`neither README.md nor docs/ shows the command: ${command}`);
  return command;
}
