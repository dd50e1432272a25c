import { describe, expect, it } from 'vitest';
import { latestApiPrices, parametersInModelName } from '../../src/cost/api-prices';
import { loadReferenceData } from '../../src/cost/reference';

describe('API prices beside a computed cost', () => {
  it('reads the parameter count a model name states, and nothing from one that states none', () => {
    expect(parametersInModelName('Llama 3.1 8B Instruct')).toBe(8e9);
    expect(parametersInModelName('Llama 3.1 405B')).toBe(405e9);
    expect(parametersInModelName('Llama 3.2 3B Instruct')).toBe(3e9);
    expect(parametersInModelName('gpt-4o-mini')).toBeNull();
  });

  it('takes each model\'s latest row, with 2·N FLOPs per token where N is known', () => {
    const data = loadReferenceData();
    const [mini, llama] = latestApiPrices(data.prices, ['gpt-4o-mini', 'Llama 3.1 8B Instruct']);
    expect(mini!.flopsPerToken).toBeNull();
    expect(llama!.date).toBe('2025-09-01');
    expect(llama!.inputUsdPerMTok).toBe(0.01);
    expect([mini!.outputUsdPerMTok, llama!.outputUsdPerMTok]).toEqual([0.6, 0.02]);
    expect(llama!.flopsPerToken).toBe(16e9);
    expect(() => latestApiPrices(data.prices, ['no such model'])).toThrow(/llm_prices\.csv: no row with model = "no such model"/);
  });
});
