import { inferenceFlopsPerToken } from './compute';
import { ReferenceDataError } from './errors';
import { REFERENCE_FILES, type LlmPriceRow } from './reference';
import type { Flops, UsdPerMTok } from './units';

/**
 * API list prices to set beside a cost computed here (notebook 06: a million digit predictions
 * against a million tokens).
 */
export interface ApiPrice {
  readonly model: string;
  readonly provider: string;
  readonly date: string;
  readonly inputUsdPerMTok: UsdPerMTok | null;
  readonly outputUsdPerMTok: UsdPerMTok | null;
  /** Parameters read from the model's name ("Llama 3.1 8B Instruct": 8e9); null when the name gives none. */
  readonly params: number | null;
  /** About 2·N per token when `params` is known. */
  readonly flopsPerToken: Flops | null;
  readonly sourceUrl: string;
}

/** The parameter count a model's name states ("8B", "405B", "1.5B"), or null (e.g. "gpt-4o-mini"). */
export function parametersInModelName(name: string): number | null {
  const match = /(?:^|[\s-])(\d+(?:\.\d+)?)B(?=$|[\s-])/i.exec(name);
  return match === null ? null : Number(match[1]) * 1e9;
}

/** For each model name, its most recent row in `llm_prices.csv`; throws naming a model not in the data. */
export function latestApiPrices(rows: readonly LlmPriceRow[], models: readonly string[]): ApiPrice[] {
  return models.map((model) => {
    const matching = rows.filter((r) => r.model === model);
    if (matching.length === 0) throw new ReferenceDataError(REFERENCE_FILES.prices, null, `no row with model = ${JSON.stringify(model)}`);
    const latest = matching.reduce((a, b) => (b.year > a.year ? b : a));
    const params = parametersInModelName(model);
    return {
      model,
      provider: latest.provider,
      date: latest.date,
      inputUsdPerMTok: latest.inputUsdPerMTok,
      outputUsdPerMTok: latest.outputUsdPerMTok,
      params,
      flopsPerToken: params === null ? null : inferenceFlopsPerToken(params),
      sourceUrl: latest.sourceUrl,
    };
  });
}
