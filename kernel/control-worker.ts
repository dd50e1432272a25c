// Entry point of the control thread (see control.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { runControl, type ControlData, type ControlEvent } from './control';

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
  // Rethrown outside the promise chain: the thread ends and the main thread's Worker gets 'error'
  // with this message (control.ts turns it into the kernel's one-line reason).
  setImmediate(() => {
    throw error instanceof Error ? error : new Error(String(error));
  });
});
