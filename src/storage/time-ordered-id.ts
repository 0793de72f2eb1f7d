// Identifiers for rows that are only ever appended (audit events): UUID version 7 (RFC 9562), the creation time in
// milliseconds first, then 74 random bits. A random (version 4) key puts every insert on a random page of the
// primary key's B-tree, which must then be read and written back; an ever larger table (a year of audit events)
// pays that on every insert, and on MySQL/MariaDB, whose table is its primary key, the whole row moves with it.
// Time-ordered keys append at the right edge of the index. Not for anything that must be unguessable.
import { randomFillSync } from 'node:crypto';

/** Random bytes drawn 256 ids at a time (one system call instead of one per id, as Node's randomUUID does). */
const pool = Buffer.alloc(16 * 256);
let next = pool.length;

export function timeOrderedId(now: number): string {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  const bytes = pool.subarray(next, next + 16);
  next += 16;
  bytes.writeUIntBE(Math.max(0, Math.floor(now)) % 2 ** 48, 0, 6);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
