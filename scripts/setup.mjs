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
import { MACHINE, systemPython } from './machine.mjs';
import { describeProbe, findCommand, missingRequirements } from './requirements.mjs';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Node's own parser: setup runs before the dependencies (commander, the parser of every other command
// line of the project) are installed.
const { values: flags } = parseArgs({ options: { quiet: { type: 'boolean' }, lab: { type: 'boolean' } } });
const quiet = flags.quiet === true;
const withLab = flags.lab === true;
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
// The list and its probes live in requirements.mjs: each is probed by the command, file or module
// the project uses, never by a module standing in for a command.
const SYSTEM_PYTHON = systemPython();

/** The names among `modules` that Debian's Python cannot import (all of them if Python cannot run). */
function unimportable(modules) {
  if (modules.length === 0) return new Set();
  const probe = modules.map((m) => `\ntry:\n  import ${m}\nexcept Exception:\n  print(${JSON.stringify(m)})`).join('');
  const result = spawnSync(SYSTEM_PYTHON, ['-c', probe], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return new Set(modules);
  return new Set(result.stdout.split('\n').filter(Boolean));
}

function missingSystemRequirements() {
  return missingRequirements(
    { command: (name) => findCommand(name), file: (path) => existsSync(path), modules: unimportable },
    { lab: withLab },
  );
}

function canUseApt() {
  return process.getuid?.() === 0 && existsSync(MACHINE.programs['apt-get']);
}

function ensureSystemPackages() {
  const missing = missingSystemRequirements();
  if (missing.length === 0) return;
  if (canUseApt()) {
    const packages = [...new Set(missing.map((m) => m.deb))];
    log(`missing ${missing.map((m) => describeProbe(m.probe)).join(', ')}; installing Debian packages: ${packages.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], { env });
    run('apt-get', ['install', '-y', '-qq', ...packages], { env });
    const still = missingSystemRequirements();
    if (still.length > 0) {
      throw new Error(`still missing after apt-get install: ${still.map((m) => `${describeProbe(m.probe)} (${m.deb})`).join(', ')}`);
    }
    actions.push('debian packages');
    return;
  }
  const pipNames = [...new Set(missing.map((m) => m.pip).filter(Boolean))];
  const noPip = [...new Set(missing.filter((m) => !m.pip).map((m) => m.deb))];
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
