/**
 * Facts that cannot drift: prose built from computed values (`prose` and the formatters), claims
 * checked on the results (`createClaims`), the facts lock that holds each notebook's headline
 * values to a tolerance, and the rule that finds uncited numbers in markdown. Measurements of time
 * are in `llm-price-lab/stats` (`measure`). See docs/facts.md.
 */
/** Formatters for figures in prose: `fmt.num`, `fmt.int`, `fmt.pct`, `fmt.usd`, `fmt.year`, `fmt.withInterval`, … */
export * as fmt from './format';
export * from './prose';
export * from './claims';
export * from './lock';
export * from './lock-file';
export * from './prose-numbers';
