// The only source of randomness outside tests (STYLE rule 4): core code receives a RandomSource.
import { randomBytes } from 'node:crypto';

export interface RandomSource {
  bytes(n: number): Buffer;
}

export const systemRandom: RandomSource = { bytes: (n) => randomBytes(n) };
