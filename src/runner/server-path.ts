/**
 * Where a local notebook is on a server that was not started for this run (`--server`): the
 * server's paths are relative to its root folder, which the contents API does not tell. The
 * notebook's path is found by asking the contents API for the trailing parts of its absolute
 * path, longest first, and taking the first one whose file has the same text as the local file.
 */
import { ServerConnection } from '@jupyterlab/services';
import { sep } from 'node:path';
import { InfrastructureError, RunnerInputError, errorMessage } from './errors';

/** Trailing parts of an absolute path, longest first: `/a/b/c.ipynb` → `a/b/c.ipynb`, `b/c.ipynb`, `c.ipynb`. */
export function candidatePaths(absolutePath: string): string[] {
  const parts = absolutePath.split(sep).filter(Boolean);
  return parts.map((_, i) => parts.slice(i).join('/'));
}

/** The text of `path` on the server, or undefined when it has no such file (or refuses to show it). */
async function serverFileText(settings: ServerConnection.ISettings, path: string): Promise<string | undefined> {
  const url = `${settings.baseUrl}api/contents/${path.split('/').map(encodeURIComponent).join('/')}?type=file&format=text&content=1`;
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, { method: 'GET' }, settings);
  } catch (error) {
    throw new InfrastructureError(`cannot reach ${settings.baseUrl}: ${errorMessage(error)}`, { url: settings.baseUrl, cause: error });
  }
  if (response.status === 401) throw new InfrastructureError(`${settings.baseUrl} refused the token (401)`, { url: settings.baseUrl });
  // 404, or 403 for a hidden file or one outside the root: not this candidate.
  if (!response.ok) return undefined;
  const body = await response.text();
  let model: { type?: unknown; content?: unknown };
  try {
    model = JSON.parse(body) as { type?: unknown; content?: unknown };
  } catch {
    // A proxy's login page or an error page answered with 200: not a Jupyter server's contents API.
    const kind = response.headers.get('content-type') ?? 'no content type';
    const start = body.replace(/\s+/g, ' ').trim().slice(0, 80);
    throw new InfrastructureError(
      `${settings.baseUrl} did not answer as a Jupyter server (GET api/contents gave ${kind}: "${start}"); is the URL the server's, behind no login page?`,
      { url: settings.baseUrl },
    );
  }
  return model !== null && typeof model === 'object' && model.type === 'file' && typeof model.content === 'string' ? model.content : undefined;
}

/**
 * The notebook's path relative to the server's root. Throws RunnerInputError (one line) when the
 * server has it under none of those paths, i.e. the notebook is not under the server's root.
 */
export async function sessionPathOnServer(
  settings: ServerConnection.ISettings,
  absolutePath: string,
  localText: string,
): Promise<string> {
  for (const candidate of candidatePaths(absolutePath)) {
    if ((await serverFileText(settings, candidate)) === localText) return candidate;
  }
  throw new RunnerInputError(
    `${absolutePath}: not under the root folder of the server at ${settings.baseUrl} ` +
      '(the server has no file with its content at any trailing part of its path); start the server from a folder above it',
    { file: absolutePath },
  );
}
