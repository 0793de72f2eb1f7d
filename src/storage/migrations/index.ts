// Migrations in order. Append new ones; never edit one that has shipped.
import type { Migration } from 'kysely';
import * as m001 from './001-initial.ts';

export const migrations: Record<string, Migration> = {
  '001-initial': m001,
};
