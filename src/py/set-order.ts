/**
 * The order CPython iterates a set of ints in, so that `repr()` (job descriptions) and pickled sets come out
 * as Python writes them. CPython hashes an int to itself (mod 2**61 - 1, and -1 to -2), places it in an
 * open-addressing table (`Objects/setobject.c`) and iterates the table by slot. Strings hash with a random
 * per-process seed (`PYTHONHASHSEED`), so no other writer can predict their order: any set holding anything
 * but ints keeps JavaScript's insertion order.
 *
 * Modelled: `set(iterable)` / `frozenset(iterable)`, which add the items one at a time (so do a set display
 * with a non-constant item and unpickling). A display of constants only, `{3, 1, 2}`, is compiled to a merge
 * of a frozenset constant, which sizes the table differently and can order a set of 5+ items differently.
 * Checked against live CPython in test/interop/cpython-roundtrip.test.ts.
 */
import { isPyInt } from './values.js';

const MODULUS = (1n << 61n) - 1n; // _PyHASH_MODULUS on 64-bit builds
const MASK64 = (1n << 64n) - 1n;
const MIN_SIZE = 8; // PySet_MINSIZE
const LINEAR_PROBES = 9;
const PERTURB_SHIFT = 5n;

/** `hash(n)` for a Python int, as the unsigned 64-bit `size_t` the table arithmetic uses. */
function intHash(n: bigint): bigint {
  const magnitude = (n < 0n ? -n : n) % MODULUS;
  let h = n < 0n ? -magnitude : magnitude;
  if (h === -1n) h = -2n;
  return h & MASK64;
}

/** Python ints among set members: safe-integer numbers and bigints (booleans would merge with 0/1). */
function asPyInt(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && isPyInt(v)) return BigInt(v);
  return null;
}

/** Index of the free slot `set_insert_clean` / `set_add_entry` would use for `hash` (no deletions here). */
function findSlot(table: (bigint | undefined)[], mask: number, hash: bigint): number {
  const m = BigInt(mask);
  let perturb = hash;
  let i = hash & m;
  for (;;) {
    const start = Number(i);
    const probes = start + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
    for (let j = 0; j <= probes; j++) if (table[start + j] === undefined) return start + j;
    perturb >>= PERTURB_SHIFT;
    i = (i * 5n + 1n + perturb) & m;
  }
}

/**
 * `items` (distinct set members) in the order CPython iterates `set(items)`, when every one is an int;
 * otherwise `items` unchanged.
 */
export function pythonSetOrder<T>(items: readonly T[]): T[] {
  const ints = items.map(asPyInt);
  if (ints.some((n) => n === null)) return [...items];
  // Values equal in Python are one member; a JS Set may hold 1 and 1n apart. Keep insertion order then.
  if (new Set(ints.map(String)).size !== ints.length) return [...items];
  let table: (number | undefined)[] = new Array(MIN_SIZE);
  let hashes: (bigint | undefined)[] = new Array(MIN_SIZE);
  let mask = MIN_SIZE - 1;
  let used = 0;
  ints.forEach((n, index) => {
    const hash = intHash(n!);
    const slot = findSlot(hashes, mask, hash);
    table[slot] = index;
    hashes[slot] = hash;
    used++;
    if (used * 5 < mask * 3) return;
    // set_table_resize(so, used > 50000 ? used * 2 : used * 4): the smallest power of two above that.
    const minUsed = used > 50_000 ? used * 2 : used * 4;
    let size = MIN_SIZE;
    while (size <= minUsed) size *= 2;
    const [oldTable, oldHashes] = [table, hashes];
    table = new Array(size);
    hashes = new Array(size);
    mask = size - 1;
    for (let s = 0; s < oldTable.length; s++) {
      if (oldTable[s] === undefined) continue;
      const to = findSlot(hashes, mask, oldHashes[s]!);
      table[to] = oldTable[s];
      hashes[to] = oldHashes[s];
    }
  });
  return table.filter((i): i is number => i !== undefined).map((i) => items[i]!);
}
