/**
 * Every command README.md shows, and the tests that run it. tests/readme/commands.test.ts fails when
 * the README shows a command missing here, when an entry here is no longer in the README, and when a
 * named test file or test title does not exist: a command cannot be added to the README untested.
 */
export interface RunBy {
  /** Test file, from the project root. */
  readonly file: string;
  /** Title of the `it(...)` (or `describe(...)`) in that file that runs the command. */
  readonly test: string;
}

export interface CoveredCommand {
  /** The command exactly as extractCommands gives it (one line, comment removed). */
  readonly command: string;
  readonly runBy: readonly RunBy[];
  /** How the tests run it when not verbatim (a temporary output folder, a heavy command's light form). */
  readonly how?: string;
}

const RUN = 'tests/readme/run-commands.test.ts';
const RUNNER = 'tests/readme/runner-command.test.ts';
const LAB = 'tests/readme/lab-command.test.ts';
const HUB = 'tests/hub/hub.integration.test.ts';

export const COVERED_COMMANDS: readonly CoveredCommand[] = [
  {
    command: 'npm start',
    runBy: [
      { file: RUN, test: 'npm start runs setup, then the runner on notebooks/' },
      { file: 'tests/notebooks/cost-notebooks.test.ts', test: 'cost, algorithm and tools notebooks (smoke parameters)' },
      { file: 'tests/notebooks/experiment-notebooks.test.ts', test: 'experiment notebooks 05, 06, 08, 09 (smoke parameters)' },
    ],
    how:
      'a full run takes minutes: `npm start -- --help` runs setup and scripts/start.mjs into the runner, and the notebook tests run every notebook through the same runner with smoke parameters',
  },
  {
    command: 'npm start -- --no-cache',
    runBy: [{ file: 'tests/runner/cache.integration.test.ts', test: 'caches under <output-dir>/cache, or where --cache-dir says, and runs everything with --no-cache' }],
    how: 'a full run takes minutes: the test gives the same option to the same command line on a small notebook, and checks that it runs although its result is cached',
  },
  {
    command: 'npm run run-notebooks -- notebooks/04-math.ipynb -o build/try --cache-dir /tmp/my-cache',
    runBy: [{ file: 'tests/runner/cache.integration.test.ts', test: 'caches under <output-dir>/cache, or where --cache-dir says, and runs everything with --no-cache' }],
    how: 'the test gives --cache-dir and -o to the same command line on a small notebook in a temporary folder, and checks where the result is cached',
  },
  {
    command: 'npm test',
    runBy: [{ file: 'tests/readme/commands.test.ts', test: 'npm test is setup --lab, the typecheck, the linter and vitest' }],
    how: 'it is the command that runs every test, this one included (CI runs it)',
  },
  { command: 'npm run lab', runBy: [{ file: LAB, test: 'npm run lab serves JupyterLab on the notebooks until Ctrl-C' }] },
  {
    command: 'npm run bench',
    runBy: [
      { file: RUN, test: 'npm run bench is setup then scripts/bench.mjs, whose options are the ones the README names' },
      { file: 'tests/model/bench.test.ts', test: 'runs every contender and figure once and writes the documented JSON and table' },
    ],
    how: 'a full run takes long: `npm run bench -- --help` runs the npm script, and the bench test runs the same script with --quick',
  },
  {
    command: 'node scripts/bench.mjs --quick --out build/bench-quick.json',
    runBy: [{ file: 'tests/model/bench.test.ts', test: 'runs every contender and figure once and writes the documented JSON and table' }],
    how: '--out is a temporary file',
  },
  { command: 'npm run which-backend', runBy: [{ file: RUN, test: 'npm run which-backend' }] },
  { command: 'npm run which-backend -- --json', runBy: [{ file: RUN, test: 'npm run which-backend' }] },
  {
    command: 'bash scripts/gpu-check.sh',
    runBy: [
      { file: RUN, test: 'bash scripts/gpu-check.sh parses (bash -n)' },
      { file: 'tests/model/gpu-check.test.ts', test: 'says so in one line, writes why, and exits with 2 when Vulkan has no driver' },
    ],
    how: 'it needs a GPU: the tests run it with Vulkan limited to a missing driver (--output a temporary file) and check the one-line refusal',
  },
  { command: 'bash scripts/gpu-check.sh --help', runBy: [{ file: RUN, test: 'bash scripts/gpu-check.sh --help' }] },
  {
    command:
      'npm run run-notebooks -- notebooks/03-algorithms.ipynb notebooks/04-math.ipynb --profile smoke -p seed 1 -j 2 -o build/try --junit build/try/junit.xml',
    runBy: [{ file: RUNNER, test: 'npm run run-notebooks runs 03 and 04 with smoke parameters and seed 1' }],
    how: 'build/try is a temporary folder',
  },
  {
    command: 'node dist/src/runner/bin.js run notebooks/04-math.ipynb --refresh-facts',
    runBy: [{ file: RUNNER, test: 'refreshes the facts lock of a notebook for the profile it ran, keeping the other profiles' }],
    how: 'on a copy of 04 and its lock in a temporary folder, with a temporary output folder, so the project lock is never rewritten',
  },
  {
    command: 'node dist/src/runner/bin.js run notebooks/04-math.ipynb --profile smoke --refresh-facts',
    runBy: [{ file: RUNNER, test: 'refreshes the facts lock of a notebook for the profile it ran, keeping the other profiles' }],
    how: 'as the default-profile refresh, with the smoke profile file copied beside the notebook',
  },
  {
    command: 'export JUPYTER_TOKEN=…',
    runBy: [{ file: HUB, test: 'runs 04 and 01 (smoke) to the end with the user token from JUPYTER_TOKEN' }],
    how: 'the token is a real user token of a test hub, set in the environment',
  },
  {
    command: 'node dist/src/runner/bin.js run notebooks/04-math.ipynb --profile smoke --server https://HUB/user/NAME/ -o build/hub',
    runBy: [{ file: HUB, test: 'runs 04 (smoke) started from the project folder, its kernel in the notebook folder' }],
    how: 'HUB is a JupyterHub the test starts on 127.0.0.1; -o is a temporary folder, with --no-html and --progress none',
  },
  {
    command:
      'node dist/src/runner/bin.js run notebooks/01-background.ipynb notebooks/04-math.ipynb --profile smoke -j 2 --server https://HUB/user/ADA/ --server https://HUB/user/GRACE/ -o build/hub',
    runBy: [{ file: HUB, test: 'runs 04 and 01 (smoke) at -j 2 over both, each notebook equal to the single-server run' }],
    how: 'two users of a JupyterHub the test starts on 127.0.0.1; -o is a temporary folder, with --no-html and --progress none',
  },
  {
    command: 'npm run kernel:install',
    runBy: [
      { file: RUN, test: 'npm run kernel:install and kernel:uninstall' },
      { file: 'tests/kernel/install.test.ts', test: 'installs into the Jupyter data dir, where Jupyter lists it, and uninstalls' },
    ],
    how: 'JUPYTER_DATA_DIR is a temporary folder',
  },
  {
    command: 'npm run kernel:uninstall',
    runBy: [
      { file: RUN, test: 'npm run kernel:install and kernel:uninstall' },
      { file: 'tests/kernel/install.test.ts', test: 'installs into the Jupyter data dir, where Jupyter lists it, and uninstalls' },
    ],
    how: 'JUPYTER_DATA_DIR is a temporary folder',
  },
  {
    command: 'JUPYTER_PATH=build/jupyter jupyter console --kernel llm-price-lab',
    runBy: [{ file: 'tests/kernel/console.test.ts', test: 'the kernel in jupyter console' }],
    how: "the session shown is typed into Debian's jupyter console in a pseudo-terminal",
  },
];
