import { DISPLAY_SINK, type DisplayOptions, type DisplaySink, type MimeBundle } from '../src/display';
import type { Content, Message } from './messages';
import { setTslabDisplayWriter } from './tslab';
import { ProjectError } from '../src/errors';

/** Sends one iopub message with the given parent (the request it belongs to). */
export type IopubSend = (msgType: string, content: Content, parent: Message) => void;

/** A display bundle or its metadata was not what the protocol allows. */
export class DisplayError extends ProjectError<{ call: string; reason: string }> {
  constructor(
    readonly call: string,
    readonly reason: string,
  ) {
    super(`${call}: ${reason}`, { call, reason });
  }
}

/**
 * Routes what cell code writes (stdout, stderr, displays) to iopub, attributed to the request
 * being executed. Output that arrives between cells goes to the last request, as in IPython.
 */
export interface OutputRouter {
  /** The request that output is attributed to from now on. */
  setParent(parent: Message): void;
  /** The request output is attributed to now (undefined before the first). */
  parent(): Message | undefined;
  stream(name: 'stdout' | 'stderr', text: string): void;
  readonly sink: DisplaySink;
  /** Patches process.stdout/stderr and installs the display sink; returns the undo. */
  install(): () => void;
}

function checkBundle(call: string, bundle: unknown): MimeBundle {
  if (typeof bundle !== 'object' || bundle === null || Array.isArray(bundle)) {
    throw new DisplayError(call, 'a MIME bundle must be an object of MIME type → data');
  }
  for (const [mime, data] of Object.entries(bundle)) {
    if (!/^[\w\-+.]+\/[\w\-+.]+$/.test(mime)) throw new DisplayError(call, `${JSON.stringify(mime)} is not a MIME type`);
    if (mime.startsWith('text/') && typeof data !== 'string') {
      throw new DisplayError(call, `${mime} data must be a string, got ${typeof data}`);
    }
  }
  return bundle as MimeBundle;
}

export function createOutputRouter(send: IopubSend): OutputRouter {
  let parent: Message | undefined;
  const publish = (msgType: string, content: Content): void => {
    if (parent) send(msgType, content, parent);
  };
  const sink: DisplaySink = {
    display(bundle: MimeBundle, options: DisplayOptions = {}) {
      const data = checkBundle('display', bundle);
      const transient = options.displayId === undefined ? {} : { display_id: options.displayId };
      publish('display_data', { data, metadata: options.metadata ?? {}, transient });
    },
    update(displayId: string, bundle: MimeBundle, metadata: Record<string, unknown> = {}) {
      if (typeof displayId !== 'string' || displayId === '') throw new DisplayError('update', 'a display id is required');
      publish('update_display_data', { data: checkBundle('update', bundle), metadata, transient: { display_id: displayId } });
    },
    clear(wait: boolean) {
      publish('clear_output', { wait: wait === true });
    },
  };
  const stream = (name: 'stdout' | 'stderr', text: string): void => {
    if (text !== '') publish('stream', { name, text });
  };
  return {
    setParent(next) {
      parent = next;
    },
    parent: () => parent,
    stream,
    sink,
    install() {
      const writers = { stdout: process.stdout.write, stderr: process.stderr.write };
      const patch = (name: 'stdout' | 'stderr') =>
        function write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
          const text =
            typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
          stream(name, text);
          const done = typeof encoding === 'function' ? encoding : callback;
          if (typeof done === 'function') process.nextTick(done as () => void);
          return true;
        } as typeof process.stdout.write;
      process.stdout.write = patch('stdout');
      process.stderr.write = patch('stderr');
      const slots = globalThis as unknown as Record<symbol, DisplaySink | undefined>;
      slots[DISPLAY_SINK] = sink;
      // tslab's own `display` API (`import * as tslab from 'tslab'` in a cell).
      setTslabDisplayWriter((content, update) =>
        publish(update ? 'update_display_data' : 'display_data', { metadata: {}, transient: {}, ...content }),
      );
      return () => {
        process.stdout.write = writers.stdout;
        process.stderr.write = writers.stderr;
        delete slots[DISPLAY_SINK];
        setTslabDisplayWriter(null);
      };
    },
  };
}
