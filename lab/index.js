// The JupyterLab front end: the application shell plus the plugins of the packages listed under
// "jupyterlab" in package.json. webpack needs each import spelled out, so the two lists are kept in
// step by hand (tests/lab/frontend.test.ts checks them).
import { JupyterLab } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

// Chunks and assets load from the server's static URL; this must be set before any CSS is imported.
// eslint-disable-next-line no-undef
__webpack_public_path__ = `${PageConfig.getOption('fullStaticUrl')}/`;

// Written by Build.ensureAssets (webpack.config.js): the style of every listed package.
const styles = import('./build/style.js');

/** Plugins that need a language server; this front end ships none, so they are left out. */
const withoutLanguageServer = (module) => module.default.filter((plugin) => !plugin.id.includes(':language-server'));

const pluginModules = () => [
  // Jupyter widgets (ipywidgets 8's front end): the widget manager and the base, controls and output models.
  import('@jupyter-widgets/jupyterlab-manager'),
  import('@jupyterlab/application-extension'),
  import('@jupyterlab/apputils-extension'),
  import('@jupyterlab/codemirror-extension'),
  import('@jupyterlab/completer-extension'),
  import('@jupyterlab/console-extension'),
  import('@jupyterlab/csvviewer-extension'),
  import('@jupyterlab/docmanager-extension'),
  import('@jupyterlab/documentsearch-extension'),
  import('@jupyterlab/filebrowser-extension'),
  import('@jupyterlab/fileeditor-extension').then(withoutLanguageServer),
  import('@jupyterlab/help-extension'),
  import('@jupyterlab/imageviewer-extension'),
  import('@jupyterlab/inspector-extension'),
  import('@jupyterlab/launcher-extension'),
  import('@jupyterlab/mainmenu-extension'),
  import('@jupyterlab/markdownviewer-extension'),
  import('@jupyterlab/markedparser-extension'),
  import('@jupyterlab/mathjax-extension'),
  import('@jupyterlab/metadataform-extension'),
  import('@jupyterlab/notebook-extension').then(withoutLanguageServer),
  import('@jupyterlab/rendermime-extension'),
  import('@jupyterlab/running-extension'),
  import('@jupyterlab/settingeditor-extension'),
  import('@jupyterlab/shortcuts-extension'),
  import('@jupyterlab/statusbar-extension'),
  import('@jupyterlab/theme-dark-extension'),
  import('@jupyterlab/theme-light-extension'),
  import('@jupyterlab/toc-extension'),
  import('@jupyterlab/tooltip-extension'),
  import('@jupyterlab/translation-extension'),
  import('@jupyterlab/ui-components-extension'),
];

// Renderers for output MIME types; plotly's draws `application/vnd.plotly.v1+json` figures.
const mimeModules = () => [
  import('@jupyterlab/javascript-extension'),
  import('@jupyterlab/json-extension'),
  import('jupyterlab-plotly/lib/plotly-renderer'),
];

async function main() {
  await styles;
  const lab = new JupyterLab({ mimeExtensions: await Promise.all(mimeModules()) });
  lab.registerPluginModules(await Promise.all(pluginModules()));
  await lab.start();
  await lab.restored;
  // A marker for scripts and tests that wait for the application to be usable.
  document.body.dataset.labRestored = 'true';
}

window.addEventListener('load', () => {
  main().catch((error) => {
    console.error('JupyterLab failed to start', error);
    document.body.dataset.labError = String(error?.message ?? error);
  });
});
