// Bundles index.js into build/bundle.js (development mode: a production build takes minutes longer
// on a small machine and saves nothing that matters for a local server), and lets @jupyterlab/builder
// copy each package's settings schemas, themes and styles into build/.
const path = require('node:path');
const webpack = require('webpack');
const { Build } = require('@jupyterlab/builder');
const svgToDataUri = require('mini-svg-data-uri');
const { jupyterlab } = require('./package.json');

const output = path.join(__dirname, 'build');

const assets = Build.ensureAssets({
  packageNames: [...jupyterlab.extensions, ...jupyterlab.mimeExtensions],
  output,
});

const bundle = {
  entry: ['./index.js'],
  output: { path: output, filename: 'bundle.js' },
  mode: 'development',
  devtool: false,
  bail: true,
  performance: { hints: false },
  module: {
    rules: [
      { test: /\.css$/, use: ['style-loader', 'css-loader'] },
      { test: /\.html$/, type: 'asset/resource' },
      { test: /\.md$/, type: 'asset/source' },
      { test: /\.(jpg|png|gif)$/, type: 'asset/resource' },
      { test: /\.(woff2?|ttf)(\?v=\d+\.\d+\.\d+)?$/, type: 'asset' },
      { test: /\.eot(\?v=\d+\.\d+\.\d+)?$/, type: 'asset/resource' },
      // SVG referenced from CSS becomes a data URI; SVG imported from code is its source text.
      {
        test: /\.svg(\?v=\d+\.\d+\.\d+)?$/,
        issuer: /\.css$/,
        type: 'asset/inline',
        generator: { dataUrl: (content) => svgToDataUri(content.toString()) },
      },
      { test: /\.svg(\?v=\d+\.\d+\.\d+)?$/, issuer: /\.js$/, type: 'asset/source' },
    ],
  },
  plugins: [
    // Some packages call process.cwd() (the path polyfill); the browser has no process.
    new webpack.DefinePlugin({ process: { cwd: () => '/', env: {} } }),
  ],
};

module.exports = [bundle, ...assets];
