// Renders docs/configuration.md from the schema, so the reference cannot drift from the code
// (a test compares the committed file with this output; `npm run docs` rewrites it).
import type { AnyField, Fields, Section } from './schema-dsl.ts';
import { configSchema } from './schema.ts';

interface DocSection {
  readonly path: readonly string[];
  readonly section: Section<Fields>;
  readonly lenient: boolean;
  /** An array of tables ([[name]]), e.g. [[user_store]]. */
  readonly array?: boolean;
}

/** A field whose value is an array of tables, each checked against `items` (e.g. [[user_store]]). */
const itemsOf = (node: Fields[string]): Section<Fields> | undefined =>
  node.node === 'field' ? (node as { items?: Section<Fields> }).items : undefined;

function collect(section: Section<Fields>, path: readonly string[], lenient: boolean, out: DocSection[]): DocSection[] {
  const here = lenient || section.lenient;
  const hasFields = Object.values(section.fields).some((n) => n.node === 'field' && !itemsOf(n));
  if (hasFields) out.push({ path, section, lenient: here });
  for (const [name, node] of Object.entries(section.fields)) {
    if (node.node === 'section') collect(node, [...path, name], here, out);
    const items = itemsOf(node);
    if (items) out.push({ path: [...path, name], section: items, lenient: here, array: true });
  }
  return out;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const code = (text: string): string => `\`${text}\``;

function showDefault(field: AnyField): string {
  if (field.secret) return '(secret)';
  const value = field.default;
  if (Array.isArray(value)) return code(JSON.stringify(value));
  return code(typeof value === 'string' ? JSON.stringify(value) : String(value));
}

function describe(field: AnyField): string {
  const notes = [field.description];
  if (field.aliases.length > 0) notes.push(`Also accepted as ${field.aliases.map(code).join(', ')}.`);
  const valueAliases = Object.entries(field.valueAliases ?? {});
  if (valueAliases.length > 0) {
    notes.push(valueAliases.map(([alias, value]) => `${code(JSON.stringify(alias))} means ${code(JSON.stringify(value))}`).join(', ') + '.');
  }
  return notes.join(' ');
}

/** GitHub's heading anchor: lower case, punctuation other than - and _ dropped. */
function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

function renderSection(doc: DocSection): string[] {
  const heading = doc.array ? `[[${doc.path.join('.')}]]` : `[${doc.path.join('.')}]`;
  const lines = [`## ${heading}`, ''];
  if (doc.section.description !== '') lines.push(doc.section.description, '');
  if (doc.lenient && !doc.section.lenient) {
    lines.push('Values may be written as strings ("30", "true"), as WSO2 files often do.', '');
  }
  lines.push('| Key | Type | Default | Description |', '|---|---|---|---|');
  for (const [name, node] of Object.entries(doc.section.fields)) {
    if (node.node !== 'field') continue;
    lines.push(`| ${code(name)} | ${cell(node.type)} | ${cell(showDefault(node))} | ${cell(describe(node))} |`);
  }
  lines.push('');
  return lines;
}

const INTRO = `# Configuration reference

<!-- Generated from src/config/schema.ts by \`npm run docs\`. Do not edit by hand: a test fails when this file is stale. -->

Portcullis reads one TOML file, \`config/deployment.toml\`, relative to the working directory. Set the
environment variable \`PORTCULLIS_CONFIG\`, or start with \`npm start -- --config <file>\` (which wins), to use
another file. If the default file does not exist, every key takes its default; if a named file does not exist, the server
refuses to start.

Section and key names follow WSO2 Identity Server's \`deployment.toml\` where WSO2 has the key, so a
WSO2 \`[authentication.authenticator.totp.parameters]\` section works unchanged, including WSO2's
snake_case aliases and values written as strings.

The server checks the whole file before it starts. An unknown key, a value of the wrong type or a
value out of range stops the start, and every problem is listed at once with the file, line and key:

\`\`\`
config/deployment.toml:7: unknown key "prot" in [server] (did you mean "port"?)
config/deployment.toml:12: [server] bind_address: expected an IP address or host name, e.g. "127.0.0.1", "0.0.0.0" or "::", got "local host"
\`\`\`

A WSO2 Identity Server \`deployment.toml\` (5.11 to 7.x) starts the server as it is: keys WSO2 and
Portcullis share are read in WSO2's form (\`jdbc:postgresql://\` and \`jdbc:mysql://\` URLs, the single
\`[user_store]\` table, \`[server] offset\` and \`proxy_context_path\`, \`$ref{...}\`, a PKCS#12
\`[keystore.primary]\`), and every WSO2 key that has no effect here is accepted with one start-up warning
naming it. Start with \`--strict\` (\`npm start -- --strict\`) or set \`[config] strict = true\` to refuse those
keys instead. A typo in one of Portcullis's own sections is still refused. See
[wso2-compatibility.md](wso2-compatibility.md#moving-a-wso2-deploymenttoml).

\`\`\`
config/deployment.toml:3: [server] node_ip: a WSO2 setting that has no effect in Portcullis; ignored (the address is [server] bind_address here)
\`\`\`

Values of secret keys (passwords, keys) never appear in messages or in this page; their defaults are
shown as \`(secret)\`. The environment variable \`PORTCULLIS_ENCRYPTION_KEY\` overrides
\`[encryption] key\`.
`;

export function renderConfigDocs(): string {
  const docs = collect(configSchema, [], false, []);
  const toc = docs.map((d) => {
    const heading = d.array ? `[[${d.path.join('.')}]]` : `[${d.path.join('.')}]`;
    return `- [${code(heading)}](#${anchor(heading)})`;
  });
  const body = docs.flatMap(renderSection);
  return [INTRO, '## Sections', '', ...toc, '', ...body].join('\n');
}
