import type { Linter } from 'eslint';

/** The project's guard against synchronous tensor reads, shared with the test that lints notebook cells. */
export const SYNC_READ_RULE: Linter.RulesRecord;
declare const config: Linter.Config[];
export default config;
