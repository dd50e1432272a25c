// Types of torch-data.mjs for the TypeScript tests that import it.
export function writeTorchData(prefix: string, splits: Record<string, { images: Float32Array; labels: Uint8Array }>): string;
