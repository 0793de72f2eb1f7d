// Writes docs/configuration.md from the config schema (`npm run docs`).
// src/config/docs.test.ts fails when the committed file differs from this output.
import { writeFileSync } from 'node:fs';
import { renderConfigDocs } from '../src/config/docs.ts';

const target = new URL('../docs/configuration.md', import.meta.url);
writeFileSync(target, renderConfigDocs());
console.log(`wrote ${target.pathname}`);
