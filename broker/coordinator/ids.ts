/**
 * Member-id randomness from an injected PRNG (STYLE rule 4): `uuidFromRandom(random)` returns a
 * generator of RFC 4122 version-4 shaped ids ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"), the form
 * Kafka appends to client ids. `random` must return numbers in [0, 1), like a seeded PRNG.
 */
export function uuidFromRandom(random: () => number): () => string {
  return () => {
    const nibbles: number[] = [];
    for (let i = 0; i < 32; i++) nibbles.push(Math.floor(random() * 16) & 0xf);
    nibbles[12] = 4;
    nibbles[16] = (nibbles[16]! & 0x3) | 0x8;
    const hex = nibbles.map((n) => n.toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
