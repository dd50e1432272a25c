// Entry point of the control thread (see control.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { log, runControl, type ControlData, type ControlEvent } from './control';

if (!parentPort) throw new Error('control-worker must run as a worker thread');
const port = parentPort;
const onCloseRequest = (close: () => void): void => {
  port.on('message', (message: { type?: unknown }) => {
    if (message.type === 'close') {
      close();
      port.close();
    }
  });
};
runControl(workerData as ControlData, (event: ControlEvent) => port.postMessage(event), onCloseRequest).catch((error: unknown) => {
  log(`control thread failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
