import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/paths';
import { PROTOCOL_VERSION, type Content } from './messages';
import { versions } from './tslab';

/** kernel_info_reply content: the TypeScript version is the one tslab compiles cells with. */
export function kernelInfo(): Content {
  const manifest = JSON.parse(readFileSync(join(projectRoot(__dirname), 'package.json'), 'utf8')) as { version: string };
  return {
    status: 'ok',
    protocol_version: PROTOCOL_VERSION,
    implementation: 'llm-price-lab',
    implementation_version: manifest.version,
    language_info: {
      name: 'typescript',
      version: versions.typescript,
      mimetype: 'text/typescript',
      file_extension: '.ts',
      // A string, as typed clients read it (a string, or { name, version }); JupyterLab and the classic
      // Notebook both find their TypeScript mode by this name.
      codemirror_mode: 'typescript',
      pygments_lexer: 'typescript',
      nbconvert_exporter: 'script',
    },
    banner: `TypeScript ${versions.typescript} on Node.js ${versions.node} (tslab ${versions.tslab}), llm-price-lab kernel`,
    debugger: false,
    help_links: [{ text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/' }],
  };
}
