#!/usr/bin/env node
// The shared browser's own process (started by `spawnRenderService`, render-service-process.ts): it
// starts the browser, prints one JSON line (`{"endpoint": …}` or `{"reason": …}`), and closes the
// browser, with everything it left in the temp folder, when its standard input ends: when the process
// that started it closes it, or dies, even by SIGKILL. SIGTERM closes it too; SIGINT, which a
// terminal's Ctrl-C sends to the whole process group, is left to the parent, which then closes it.
import { startRenderService } from './render-service';

process.on('SIGINT', () => undefined);

void (async () => {
  const start = await startRenderService();
  if (start.kind === 'unavailable') {
    process.stdout.write(`${JSON.stringify({ reason: start.reason })}\n`);
    return;
  }
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    void start.service.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', close);
  process.stdin.on('end', close);
  process.stdin.on('error', close);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ endpoint: start.service.endpoint, pid: start.service.pid })}\n`);
})();
