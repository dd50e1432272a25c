/** Finding a local notebook on a server the run did not start (`--server`), against a fake server. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfrastructureError } from '../../src/runner/errors';
import { sessionPathOnServer } from '../../src/runner/server-path';
import { serverSettings } from '../../src/runner/session';

describe('sessionPathOnServer against what answers at the URL', () => {
  let server: Server;
  let baseUrl = '';
  /** What the fake server answers for a contents request: a proxy's login page, or Jupyter's JSON. */
  let answer: { type: string; body: string } = { type: 'text/html', body: '' };

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.writeHead(200, { 'Content-Type': answer.type });
      response.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is an infrastructure error naming the URL and what answered when a proxy's login page comes back with 200", async () => {
    answer = { type: 'text/html; charset=utf-8', body: '<!DOCTYPE html>\n<html><body><form>Sign in</form></body></html>' };
    const settings = serverSettings({ baseUrl, token: 't' });
    const failure = await sessionPathOnServer(settings, '/home/ada/lab/nb.ipynb', '{}').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(InfrastructureError);
    expect((failure as Error).message).toContain(baseUrl);
    expect((failure as Error).message).toContain('text/html; charset=utf-8: "<!DOCTYPE html> <html><body><form>Sign in');
    expect((failure as Error).message.split('\n')).toHaveLength(1);
  });

  it('finds the notebook where the contents API has a file with its text', async () => {
    answer = { type: 'application/json', body: JSON.stringify({ type: 'file', content: 'the text' }) };
    const settings = serverSettings({ baseUrl, token: 't' });
    expect(await sessionPathOnServer(settings, '/home/ada/lab/nb.ipynb', 'the text')).toBe('home/ada/lab/nb.ipynb');
  });
});
