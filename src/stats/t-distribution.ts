/**
 * Student's t distribution: its CDF and quantile (for the confidence interval of a fitted trend,
 * notebook 01) via the regularised incomplete beta function. Written here rather than taken from a
 * package because the maintained option (@stdlib's t-quantile) brings some two hundred packages for
 * one function; these few lines are checked against published t tables in tests/stats.
 */

/** Throws a one-line RangeError naming the function and the parameter unless `value` > 0. */
function requirePositive(fn: string, name: string, value: number): void {
  if (!(value > 0)) throw new RangeError(`${fn}: ${name} = ${value} must be greater than 0`);
}

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, about 15 significant digits). */
export function lnGamma(x: number): number {
  requirePositive('lnGamma', 'x', x);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const TINY = 1e-300;
const EPS = 1e-15;
const MAX_ITERATIONS = 500;

/** Continued fraction of the incomplete beta function (modified Lentz's method). */
function betaFraction(x: number, a: number, b: number): number {
  const tidy = (v: number): number => (Math.abs(v) < TINY ? TINY : v);
  let c = 1;
  let d = 1 / tidy(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 / tidy(1 + even * d);
    c = tidy(1 + even / c);
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 / tidy(1 + odd * d);
    c = tidy(1 + odd / c);
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPS) return h;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b) for x in [0, 1], a, b > 0. */
export function regularizedBeta(x: number, a: number, b: number): number {
  requirePositive('regularizedBeta', 'a', a);
  requirePositive('regularizedBeta', 'b', b);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`regularizedBeta: x = ${x} must lie in [0, 1]`);
  if (x === 0 || x === 1) return x;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** Student's t cumulative distribution function with `dof` degrees of freedom. */
export function studentTCdf(t: number, dof: number): number {
  requirePositive('studentTCdf', 'dof', dof);
  const tail = 0.5 * regularizedBeta(dof / (dof + t * t), dof / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with `dof` degrees of freedom (bisection on the CDF). */
export function studentTQuantile(p: number, dof: number): number {
  requirePositive('studentTQuantile', 'dof', dof);
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p = ${p} must lie in (0, 1)`);
  if (p < 0.5) return -studentTQuantile(1 - p, dof);
  if (p === 0.5) return 0;
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, dof) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, dof) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
