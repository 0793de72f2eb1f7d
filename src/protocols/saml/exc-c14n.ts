// Exclusive XML canonicalization (https://www.w3.org/TR/xml-exc-c14n/, without comments and without an
// InclusiveNamespaces list) of an element tree we build ourselves (encoding/xml.ts `el`). Signing our own
// Responses used to serialize them, parse them back, find the element by XPath and canonicalize the DOM, twice
// per Response (Assertion, then Response): most of a SAML login's CPU. The tree is already in hand, so its
// canonical form is written straight from it. It matches what a verifier computes from `serialize`'s output
// because serialize escapes every character a parser would normalize (\r, and \t \n in attributes), so the
// values an SP reads back are the values here (exc-c14n.test.ts checks this against xml-crypto's canonicalizer).
import { INVALID_XML_CHARS as INVALID_CHARS, type XmlElement } from '../../encoding/xml.ts';

/** Namespace prefix -> URI. */
export type Namespaces = Readonly<Record<string, string>>;

function c14nText(value: string): string {
  return value.replace(INVALID_CHARS, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
}

function c14nAttr(value: string): string {
  return value
    .replace(INVALID_CHARS, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#x9;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;');
}

function prefixOf(name: string): string {
  const colon = name.indexOf(':');
  if (colon <= 0) throw new Error(`exc-c14n: ${name} has no namespace prefix (only prefixed trees are canonicalized here)`);
  return name.slice(0, colon);
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The canonical form of `node`. `inScope` holds the namespace declarations of its ancestors in the document
 * (for example the Response's xmlns:saml when canonicalizing its Assertion).
 */
export function excC14n(node: XmlElement, inScope: Namespaces = {}): string {
  return render(node, inScope, {});
}

function render(node: XmlElement, parentScope: Namespaces, rendered: Namespaces): string {
  const scope: Record<string, string> = { ...parentScope };
  const plain: [string, string][] = [];
  const prefixed: [string, string][] = [];
  for (const [name, value] of Object.entries(node.attrs ?? {})) {
    if (value === undefined) continue;
    if (name.startsWith('xmlns:')) scope[name.slice(6)] = value;
    else if (name === 'xmlns') throw new Error('exc-c14n: default namespaces are not used in our messages');
    else if (name.includes(':')) prefixed.push([name, value]);
    else plain.push([name, value]);
  }
  // Visibly utilized prefixes: the element's own and its prefixed attributes' (xml: is never declared).
  const used = new Set([prefixOf(node.name), ...prefixed.map(([n]) => prefixOf(n))].filter((p) => p !== 'xml'));
  const own: Record<string, string> = { ...rendered };
  const declarations: string[] = [];
  for (const prefix of [...used].sort(byCodePoint)) {
    const uri = scope[prefix];
    if (uri === undefined) throw new Error(`exc-c14n: prefix ${prefix} is not declared`);
    if (rendered[prefix] !== uri) {
      declarations.push(` xmlns:${prefix}="${c14nAttr(uri)}"`);
      own[prefix] = uri;
    }
  }
  // Attributes without a namespace first, by local name; then by namespace URI, then local name.
  plain.sort((a, b) => byCodePoint(a[0], b[0]));
  const key = ([n]: [string, string]) => [scope[prefixOf(n)] ?? '', n.slice(n.indexOf(':') + 1)] as const;
  prefixed.sort((a, b) => byCodePoint(key(a)[0], key(b)[0]) || byCodePoint(key(a)[1], key(b)[1]));
  const attrs = [...plain, ...prefixed].map(([n, v]) => ` ${n}="${c14nAttr(v)}"`).join('');
  let inner = '';
  for (const child of node.children ?? []) {
    if (child === undefined) continue;
    inner += typeof child === 'string' ? c14nText(child) : render(child, scope, own);
  }
  return `<${node.name}${declarations.join('')}${attrs}>${inner}</${node.name}>`;
}

/** The namespace declarations an element carries (its xmlns:* attributes), to pass as a child's `inScope`. */
export function declaredNamespaces(node: XmlElement, inherited: Namespaces = {}): Namespaces {
  const out: Record<string, string> = { ...inherited };
  for (const [name, value] of Object.entries(node.attrs ?? {})) if (value !== undefined && name.startsWith('xmlns:')) out[name.slice(6)] = value;
  return out;
}
