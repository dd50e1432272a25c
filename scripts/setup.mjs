#!/usr/bin/env node
// Idempotent setup: installs only what is missing, so that `npm start` and `npm test` work on a
// fresh clone. Steps: Node dependencies (JupyterHub's proxy among them), Jupyter and JupyterHub
// (Debian packages when run as root with apt, else pip --user), a browser and other system files
// (Debian packages as root with apt; otherwise only a warning naming them), the compiled library and
// kernel, the project-local kernelspec, and the library under its package name so notebooks can
// import 'llm-price-lab'. With `--lab` (npm run lab, npm test) also the JupyterLab front end in lab/:
// its own npm install and webpack build.
// A second run with everything present does nothing and says so in one line.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const withLab = process.argv.includes('--lab');
const actions = [];

function log(message) {
  if (!quiet) console.log(`setup: ${message}`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw new Error(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
}

// --- 1. Node dependencies -------------------------------------------------------------------
const depsStamp = join(root, 'node_modules', '.llm-price-lab-deps');

function depsFingerprint() {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) {
    const path = join(root, file);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

function ensureNodeDependencies() {
  const want = depsFingerprint();
  if (existsSync(depsStamp) && readFileSync(depsStamp, 'utf8') === want) return;
  const lock = existsSync(join(root, 'package-lock.json'));
  log(`installing Node dependencies (npm ${lock ? 'ci' : 'install'})`);
  run('npm', [lock ? 'ci' : 'install', '--no-audit', '--no-fund']);
  writeFileSync(depsStamp, depsFingerprint());
  actions.push('node dependencies');
}

// --- 2. Jupyter, nbconvert, the kernel test suite and a browser -------------------------------
// Each requirement: how to tell it is present, its Debian package, its pip name (null: none).
const SYSTEM_PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const PYTHON_MODULES = [
  { module: 'jupyter_server', deb: 'jupyter-server', pip: 'jupyter-server' },
  { module: 'nbconvert', deb: 'jupyter-nbconvert', pip: 'nbconvert' },
  { module: 'nbclient', deb: 'python3-nbclient', pip: 'nbclient' },
  { module: 'nbformat', deb: 'python3-nbformat', pip: 'nbformat' },
  { module: 'jupyter_kernel_test', deb: 'python3-jupyter-kernel-test', pip: 'jupyter_kernel_test' },
  { module: 'notebook', deb: 'jupyter-notebook', pip: 'notebook<7' },
  // JupyterHub and its single-user server, for the hub integration test; its proxy comes from npm.
  { module: 'jupyterhub', deb: 'jupyterhub', pip: 'jupyterhub' },
  // Serves the JupyterLab front end built in lab/ (only needed with --lab).
  ...(withLab ? [{ module: 'jupyterlab_server', deb: 'python3-jupyterlab-server', pip: 'jupyterlab_server' }] : []),
  { module: 'jupyter_console', deb: 'jupyter-console', pip: 'jupyter-console' },
  // Types into jupyter console in a pseudo-terminal (tests/kernel/console.test.ts).
  { module: 'pexpect', deb: 'python3-pexpect', pip: 'pexpect' },
];
const FILES = [
  { path: '/usr/share/javascript/requirejs/require.min.js', deb: 'libjs-requirejs', pip: null },
  // nbconvert's classic HTML template loads jQuery from here.
  { path: '/usr/share/javascript/jquery/jquery.min.js', deb: 'libjs-jquery', pip: null },
  { path: '/usr/share/javascript/mathjax/MathJax.js', deb: 'libjs-mathjax', pip: null },
  { path: '/usr/bin/chromium', deb: 'chromium', pip: null },
  // Chinese section titles in static chart images and screenshots; without it they draw as boxes.
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', deb: 'fonts-wqy-zenhei', pip: null },
  // The Vulkan loader Dawn (npm `webgpu`) opens; with chromium's SwiftShader it runs the WebGPU tests.
  { path: ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'], deb: 'libvulkan1', pip: null },
];

function present(file) {
  return Array.isArray(file.path) ? file.path.some((path) => existsSync(path)) : existsSync(file.path);
}

function missingPythonModules() {
  const probe = PYTHON_MODULES.map(
    (m) => `\ntry:\n  import ${m.module}\nexcept Exception:\n  print(${JSON.stringify(m.module)})`,
  ).join('');
  const result = spawnSync(SYSTEM_PYTHON, ['-c', probe], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return PYTHON_MODULES;
  const missing = new Set(result.stdout.split('\n').filter(Boolean));
  return PYTHON_MODULES.filter((m) => missing.has(m.module));
}

function canUseApt() {
  return process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
}

function ensureSystemPackages() {
  const missing = [...missingPythonModules(), ...FILES.filter((f) => !present(f))];
  if (missing.length === 0) return;
  if (canUseApt()) {
    const packages = [...new Set(missing.map((m) => m.deb))];
    log(`installing Debian packages: ${packages.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], { env });
    run('apt-get', ['install', '-y', '-qq', ...packages], { env });
    actions.push('debian packages');
    return;
  }
  const pipNames = missing.map((m) => m.pip).filter(Boolean);
  const noPip = missing.filter((m) => !m.pip).map((m) => m.deb);
  if (pipNames.length > 0) {
    log(`installing Python packages with pip --user: ${pipNames.join(' ')}`);
    const pip = spawnSync(SYSTEM_PYTHON, ['-m', 'pip', 'install', '--user', ...pipNames], { stdio: 'inherit' });
    if (pip.status !== 0) {
      throw new Error(
        `cannot install ${pipNames.join(', ')}: run as root with apt-get, or install them with pip yourself`,
      );
    }
    actions.push('python packages');
  }
  if (noPip.length > 0) {
    // Not fatal: charts fall back to no static image, HTML export works without these files.
    console.warn(`setup: not installed (needs root and apt-get): ${noPip.join(', ')}; browser tests will fail, WebGPU tests will say why they skip`);
  }
}

// --- 3. The compiled library and kernel -------------------------------------------------------
const buildStamp = join(root, 'dist', '.build-stamp');
const SOURCE_DIRS = ['src', 'kernel'];

function newestSourceMtime() {
  let newest = 0;
  const visit = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) visit(join(root, dir));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
    const path = join(root, file);
    if (existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuild() {
  if (existsSync(buildStamp) && statSync(buildStamp).mtimeMs >= newestSourceMtime()) return;
  log('compiling the library and kernel (tsc)');
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
  mkdirSync(dirname(buildStamp), { recursive: true });
  writeFileSync(buildStamp, new Date().toISOString());
  actions.push('build');
}

// --- 4. The project-local kernelspec ------------------------------------------------------------
async function ensureKernelspec() {
  const module = join(root, 'dist', 'kernel', 'kernelspec.js');
  if (!existsSync(module)) throw new Error(`${module} is missing after the build`);
  const { writeProjectKernelspec } = await import(module);
  const changed = writeProjectKernelspec();
  if (changed) actions.push('kernelspec');
}

// --- 5. The library under its own name ----------------------------------------------------------
// Notebooks anywhere `import … from 'llm-price-lab'` or from one of its parts ('llm-price-lab/cost'
// loads no TensorFlow.js); Node and the kernel's TypeScript resolve that through node_modules. A
// forwarding package (not a symlink to the root, which would make node_modules contain itself) points
// at the compiled library: an index for the root and one folder per subpath of package.json's
// `exports`, since the kernel's TypeScript resolves like Node 10 and ignores `exports`. npm ci removes
// it; this step puts it back.
function selfPackageFiles() {
  const manifest = join(root, 'package.json');
  const { exports: entries } = JSON.parse(readFileSync(manifest, 'utf8'));
  const files = {
    'package.json': `${JSON.stringify({ name: 'llm-price-lab', private: true, main: 'index.js', types: 'index.d.ts' }, null, 2)}\n`,
  };
  for (const [subpath, target] of Object.entries(entries ?? {})) {
    if (typeof target === 'string') continue; // './package.json'
    const js = target?.default;
    const dts = target?.types;
    if (!/^\.(\/[a-z-]+)?$/.test(subpath) || typeof js !== 'string' || typeof dts !== 'string' || !dts.endsWith('.d.ts')) {
      throw new Error(`${manifest}: exports["${subpath}"] must be { "types": "./….d.ts", "default": "./….js" }`);
    }
    const folder = subpath === '.' ? '' : `${subpath.slice(2)}/`;
    const up = subpath === '.' ? '../../' : '../../../';
    files[`${folder}index.js`] = `module.exports = require('${up}${js.slice(2)}');\n`;
    files[`${folder}index.d.ts`] = `export * from '${up}${dts.slice(2, -'.d.ts'.length)}';\n`;
  }
  return files;
}

function ensureSelfPackage() {
  // The library's own atomic write, compiled by step 3 (this script runs before any build exists).
  const { writeFileAtomic } = createRequire(import.meta.url)(join(root, 'dist', 'src', 'atomic.js'));
  const dir = join(root, 'node_modules', 'llm-price-lab');
  const files = selfPackageFiles();
  let changed = false;
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    writeFileAtomic(path, text);
    changed = true;
  }
  // A subpath no longer exported loses its folder.
  const folders = new Set(Object.keys(files).filter((name) => name.includes('/')).map((name) => name.split('/')[0]));
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !folders.has(entry.name)) {
      rmSync(join(dir, entry.name), { recursive: true, force: true });
      changed = true;
    }
  }
  if (changed) actions.push("'llm-price-lab' import");
}

// --- 6. The JupyterLab front end (only with --lab) ------------------------------------------------
// lab/ is a package of its own (about 700 MB of node_modules) so that the library's install never
// carries it. Both steps are cached by a hash of what they read.
const labDir = join(root, 'lab');
const labDepsStamp = join(labDir, 'node_modules', '.llm-price-lab-lab-deps');
const labBuildStamp = join(labDir, 'build', '.llm-price-lab-lab-build');

function fingerprint(dir, files) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(dir, file)));
  }
  return hash.digest('hex');
}

function ensureLab() {
  const deps = fingerprint(labDir, ['package.json', 'package-lock.json']);
  if (!existsSync(labDepsStamp) || readFileSync(labDepsStamp, 'utf8') !== deps) {
    log('installing the JupyterLab front end packages (npm ci in lab/, about 700 MB; the first time takes minutes)');
    // No install scripts: bundling needs none of them.
    run('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: labDir });
    writeFileSync(labDepsStamp, deps);
    actions.push('lab packages');
  }
  const build = fingerprint(labDir, ['package-lock.json', 'package.json', 'index.js', 'webpack.config.js']);
  if (existsSync(labBuildStamp) && readFileSync(labBuildStamp, 'utf8') === build) return;
  log('building the JupyterLab front end (webpack, development mode)');
  rmSync(join(labDir, 'build'), { recursive: true, force: true });
  run(process.execPath, [join(labDir, 'node_modules', 'webpack', 'bin', 'webpack.js'), '--no-stats'], { cwd: labDir });
  writeFileSync(labBuildStamp, build);
  actions.push('lab build');
}

try {
  const started = Date.now();
  ensureNodeDependencies();
  ensureSystemPackages();
  ensureBuild();
  await ensureKernelspec();
  ensureSelfPackage();
  if (withLab) ensureLab();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  log(actions.length ? `done in ${seconds}s (${actions.join(', ')})` : `everything present (${seconds}s)`);
} catch (error) {
  console.error(`setup: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
